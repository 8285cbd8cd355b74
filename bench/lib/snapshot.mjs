// @ts-check
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the run's copy of dist/ lives (gitignored with the rest of bench/.build). */
export const SNAPSHOT_DIR = path.join(ROOT, 'bench', '.build', 'dist');

/** The built files the bench serves and sizes, relative to dist/. */
const FILES = ['auth-proxy-sw.js', 'auth-proxy-sw.js.map', 'sw-auth-proxy.browser.js', 'sw-auth-proxy.browser.js.map', 'index.js'];

/**
 * Copies what the bench needs out of dist/ before measuring, so every benchmark sees the same
 * build even if dist/ is rebuilt meanwhile (a build empties dist/ first, and a page that
 * loads the bundle at that moment gets a 404). A build running right now is waited out.
 * @returns {Promise<string>} the snapshot directory
 */
export async function snapshotDist() {
  for (let attempt = 1; ; attempt++) {
    try {
      await copyDist();
      return SNAPSHOT_DIR;
    } catch (error) {
      if (attempt === 10) throw new Error('dist/ is incomplete: run npm run build first (npm run bench does)', { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function copyDist() {
  await rm(SNAPSHOT_DIR, { recursive: true, force: true });
  await mkdir(SNAPSHOT_DIR, { recursive: true });
  // Every chunk too: the bundles import shared chunks statically and load others on demand.
  const chunks = (await readdir(path.join(ROOT, 'dist'))).filter((file) => /\.js(\.map)?$/.test(file));
  for (const file of new Set([...FILES, ...chunks])) await copyFile(path.join(ROOT, 'dist', file), path.join(SNAPSHOT_DIR, file));
}

/**
 * Relative chunks an ES module imports (`from "./x.js"`).
 * @param {string} code
 * @returns {string[]}
 */
export function localImports(code) {
  return [...new Set([...code.matchAll(/from\s*["']\.\/([^"']+)["']/g)].map((match) => /** @type {string} */ (match[1])))];
}
