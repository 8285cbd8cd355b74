// @ts-check
/**
 * What `npm pack` would publish (part of `npm run check:package`, after the build): only the
 * built files, their types and source maps, README, CHANGELOG, LICENSE and package.json, and
 * every file that `exports` names. publint and attw check that the entries resolve; this checks
 * that nothing else (sources, tests, demo, bench, configs) slips into the tarball.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE(\.md)?$/,
  /^dist\/[\w.-]+\.js(\.map)?$/, // entries, shared chunks, the prebuilt worker, the browser bundle
  /^dist\/types\/(src|sw)\/[\w/.-]+\.d\.ts$/,
];

/** @type {[{ files: { path: string }[], size: number, unpackedSize: number }]} */
const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }));
const files = pack.files.map((file) => file.path);
const problems = files
  .filter((file) => !ALLOWED.some((pattern) => pattern.test(file)))
  .map((file) => `unexpected file in the package: ${file}`);

/** @param {unknown} target @returns {string[]} */
const targets = (target) =>
  typeof target === 'string' ? [target] : target !== null && typeof target === 'object' ? Object.values(target).flatMap(targets) : [];
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const target of targets(manifest.exports)) {
  const file = target.replace(/^\.\//, '');
  if (!files.includes(file)) problems.push(`exports names ${target}, which is not in the package`);
}

for (const problem of problems) console.error(`package-contents: ${problem}`);
console.log(
  `package-contents: ${files.length} files, ${(pack.size / 1000).toFixed(1)} kB packed, ${(pack.unpackedSize / 1000).toFixed(1)} kB unpacked`,
);
process.exit(problems.length === 0 ? 0 : 1);
