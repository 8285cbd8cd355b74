import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A copy of `test/e2e/fixtures-apps/<name>` in a temp dir, with node_modules/sw-auth-proxy
 * linked to this repository (as `npm install ../sw-auth-proxy` would), so the app resolves the
 * built dist/ through package.json "exports" exactly as a user's app does, and its other
 * dependencies (`linked`) linked from this repository's node_modules. `cleanup` removes it.
 */
export async function freshApp(name: string, linked: string[]): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `sw-auth-proxy-${name}-`));
  const root = path.join(dir, 'app');
  await cp(fileURLToPath(new URL(`./fixtures-apps/${name}/`, import.meta.url)), root, { recursive: true });
  await mkdir(path.join(root, 'node_modules'));
  await symlink(REPO_ROOT, path.join(root, 'node_modules', 'sw-auth-proxy'), 'dir');
  for (const dependency of linked) {
    await symlink(path.join(REPO_ROOT, 'node_modules', dependency), path.join(root, 'node_modules', dependency), 'dir');
  }
  return { root, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Logs in as the demo user through the app's own `window.auth`; resolves to the state's status. */
export function loginAsDemo(page: { evaluate<R>(fn: () => Promise<R>): Promise<R> }): Promise<string> {
  return page.evaluate(async () => (await window.auth.login({ username: 'demo', password: 'demo' })).status);
}
