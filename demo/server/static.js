// @ts-check
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { sendMethodNotAllowed } from './http-util.js';

/**
 * Static files for the demo: single files mapped to URL paths (the built
 * worker and bundle) and whole directories under a URL prefix (the demo app).
 * Everything is served with Cache-Control: no-cache so a rebuilt worker is
 * picked up on the next navigation.
 */

/** @typedef {{ prefix: string, dir: string }} StaticDir */
/** @typedef {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, pathname: string) => Promise<boolean>} StaticHandler */

/** @type {Readonly<Record<string, string>>} */
const CONTENT_TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

const METHODS = ['GET', 'HEAD'];

/**
 * @param {{ files: Readonly<Record<string, string>>, dirs: readonly StaticDir[] }} config
 * @returns {StaticHandler} resolves false when no static file matches the path
 */
export function createStaticHandler({ files, dirs }) {
  return async (req, res, pathname) => {
    const file = await resolveFile(files, dirs, pathname);
    if (file === null) return false;
    const method = req.method ?? 'GET';
    if (!METHODS.includes(method)) {
      sendMethodNotAllowed(res, METHODS);
      return true;
    }
    await sendFile(res, file);
    return true;
  };
}

/**
 * Explicit files win over directories; files are checked at request time so
 * a build finished after the server started is still served.
 * @param {Readonly<Record<string, string>>} files
 * @param {readonly StaticDir[]} dirs
 * @param {string} pathname
 * @returns {Promise<string | null>} absolute path of an existing regular file
 */
async function resolveFile(files, dirs, pathname) {
  const file = Object.hasOwn(files, pathname) ? files[pathname] : undefined;
  if (file !== undefined) return (await isFile(file)) ? file : null;
  for (const { prefix, dir } of dirs) {
    if (!pathname.startsWith(prefix)) continue;
    const file = await resolveInDir(dir, pathname.slice(prefix.length));
    if (file !== null) return file;
  }
  return null;
}

/**
 * Maps the rest of a URL path into `dir`, refusing anything that would land
 * outside it (encoded "..", encoded separators, symlinks pointing out).
 * @param {string} dir
 * @param {string} rest URL path after the prefix, still percent-encoded
 * @returns {Promise<string | null>}
 */
async function resolveInDir(dir, rest) {
  /** @type {string} */
  let relative;
  try {
    relative = decodeURIComponent(rest);
  } catch {
    return null;
  }
  if (relative.includes('\0')) return null;
  if (relative === '' || relative.endsWith('/')) relative += 'index.html';

  const root = path.resolve(dir);
  const candidate = path.resolve(root, `.${path.sep}${relative}`);
  if (!isInside(root, candidate) || !(await isFile(candidate))) return null;
  // Resolve symlinks on both sides before the final containment check.
  const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
  return isInside(realRoot, realFile) ? candidate : null;
}

/**
 * @param {string} root
 * @param {string} candidate
 * @returns {boolean}
 */
function isInside(root, candidate) {
  const relative = path.relative(root, candidate);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/**
 * @param {string} file
 * @returns {Promise<boolean>}
 */
async function isFile(file) {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {string} file
 */
async function sendFile(res, file) {
  const content = await readFile(file);
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(content.length),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(content);
}
