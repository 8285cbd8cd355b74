// @ts-check
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_STATIC } from '../server/server.js';
import { createStaticHandler } from '../server/static.js';

/**
 * The same-origin front a real deployment has (nginx, a Vite dev proxy, a CDN): it serves
 * the app's pages and the built library, and forwards everything else — HTTP and WebSocket
 * upgrades — to the backend unchanged. A service worker only sees same-origin requests, so
 * the app and its API must share an origin, as they do behind such a front.
 */

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/** Hop-by-hop headers (RFC 9110 §7.6.1) are the front's own business, not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * @typedef {object} FrontOptions
 * @property {string} backend origin of the backend, e.g. http://127.0.0.1:8000
 * @property {Record<string, string>} [pages] URL path → absolute file, served as the app (e.g. '/' and '/callback')
 * @property {number} [port] 0 (default) picks a free port
 */

/**
 * @typedef {object} RunningFront
 * @property {string} url origin without trailing slash
 * @property {string[]} requests path and query of every request the front received, in order
 * @property {() => Promise<void>} close
 */

/**
 * @param {FrontOptions} options
 * @returns {Promise<RunningFront>}
 */
export async function startFront({ backend, pages = {}, port = 0 }) {
  const target = new URL(backend);
  /** @type {string[]} */
  const requests = [];
  const serveStatic = createStaticHandler({
    files: { ...DEFAULT_STATIC, ...pages },
    // The page bundle's lazily loaded chunks sit beside it in dist/.
    dirs: [{ prefix: '/', dir: path.resolve(DIST) }],
  });
  /** @type {Set<import('node:stream').Duplex>} */
  const tunnels = new Set();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front.invalid');
    requests.push(url.pathname + url.search);
    serveStatic(req, res, url.pathname).then(
      (served) => {
        if (!served) forward(req, res, target);
      },
      () => {
        res.writeHead(500).end();
      },
    );
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://front.invalid');
    requests.push(url.pathname + url.search);
    const upstream = connect(Number(target.port), target.hostname, () => {
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${rawHeaderLines(req.rawHeaders)}\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    for (const end of [socket, upstream]) {
      tunnels.add(end);
      end.on('close', () => tunnels.delete(end));
    }
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });

  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('front is not listening on TCP');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        for (const socket of tunnels) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} target
 */
function forward(req, res, target) {
  const upstream = httpRequest(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: forwardedHeaders(req.rawHeaders) },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardedHeaders(answer.rawHeaders));
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end('backend unavailable');
  });
  req.pipe(upstream);
}

/**
 * Raw headers without the hop-by-hop ones, as the flat [name, value, …] list Node accepts
 * (so repeated headers such as Set-Cookie survive).
 * @param {string[]} raw
 * @returns {string[]}
 */
function forwardedHeaders(raw) {
  /** @type {string[]} */
  const kept = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = /** @type {string} */ (raw[i]);
    if (!HOP_BY_HOP.has(name.toLowerCase())) kept.push(name, /** @type {string} */ (raw[i + 1]));
  }
  return kept;
}

/**
 * An upgrade request's headers as they were, Connection and Upgrade included (the backend needs them).
 * @param {string[]} raw
 */
function rawHeaderLines(raw) {
  let lines = '';
  for (let i = 0; i + 1 < raw.length; i += 2) lines += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return lines;
}
