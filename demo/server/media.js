// @ts-check
import { sendMethodNotAllowed, sendNotFound } from './http-util.js';

/**
 * Protected media for `<img>` and `<audio>` tests: real files a browser decodes, so an element
 * loads only when its request carried a valid token (a 401 answers JSON, which does not decode).
 * Served after authentication, like every resource under /api/.
 */

/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

export const MEDIA_PREFIX = '/api/media/';

/** A 3 × 2 pixel RGB PNG (tests read naturalWidth and naturalHeight). */
const AVATAR_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGM4oaEBQQxwFgBFdAaR8TH9JAAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * A quarter second of silence as an 8 kHz, 8-bit mono WAV (RIFF header + PCM samples).
 * @returns {Buffer}
 */
function silentWav() {
  const rate = 8000;
  const samples = rate / 4;
  const wav = Buffer.alloc(44 + samples, 128); // 128 is silence in unsigned 8-bit PCM
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + samples, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate, 28); // bytes per second
  wav.writeUInt16LE(1, 32); // block align
  wav.writeUInt16LE(8, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(samples, 40);
  return wav;
}

/** @type {Readonly<Record<string, { type: string, body: Buffer }>>} */
const FILES = {
  [`${MEDIA_PREFIX}avatar.png`]: { type: 'image/png', body: AVATAR_PNG },
  [`${MEDIA_PREFIX}tone.wav`]: { type: 'audio/wav', body: silentWav() },
};

/**
 * GET or HEAD a media file. `private, no-store`: a response that needed a token must not be
 * served to the next user from a shared or the browser's HTTP cache.
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {string} pathname
 */
export function handleMedia(req, res, pathname) {
  const file = FILES[pathname];
  if (file === undefined) return sendNotFound(res);
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return sendMethodNotAllowed(res, ['GET', 'HEAD']);
  res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.body.length, 'Cache-Control': 'private, no-store' });
  res.end(method === 'HEAD' ? undefined : file.body);
}
