// @ts-check
import { sendMethodNotAllowed } from './http-util.js';

/**
 * Server-sent events at GET /api/events, the server half of `auth.eventSource()`. Every event
 * goes into one log with a rising id; a connection that sends `Last-Event-ID: n` first gets the
 * logged events after n, then live ones, so a client that resumes loses nothing and sees nothing
 * twice. A connection without it gets live events only. Authentication is the protected
 * resources' (Bearer, checked when the stream opens).
 */

/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

export const EVENTS_PATH = '/api/events';

/**
 * @typedef {object} StreamEvent
 * @property {number} id
 * @property {string} data may span lines
 * @property {string | null} type the `event:` name; null for a plain message
 */

/**
 * @typedef {object} EventStreams
 * @property {(data: string, type?: string) => number} emit logs an event, writes it to every open stream, returns its id
 * @property {() => number} dropAll ends every open stream (as a dropped connection would); returns how many
 * @property {() => number} openStreams streams open now
 * @property {(string | null)[]} lastEventIds the Last-Event-ID header of every connection, in order (null: none)
 * @property {number[]} connectedAt server ms of every connection, in order
 * @property {number | null} retryMs when set, each new stream starts with `retry: <ms>`
 * @property {(req: IncomingMessage, res: ServerResponse) => void} handle serves an authenticated request
 */

/**
 * @param {StreamEvent} event
 * @returns {string}
 */
function frame(event) {
  const type = event.type === null ? '' : `event: ${event.type}\n`;
  const data = event.data
    .split('\n')
    .map((line) => `data: ${line}\n`)
    .join('');
  return `${type}id: ${event.id}\n${data}\n`;
}

/** @returns {EventStreams} */
export function createEventStreams() {
  /** @type {StreamEvent[]} */
  const log = [];
  /** @type {Set<ServerResponse>} */
  const open = new Set();
  /** @type {EventStreams} */
  const streams = {
    retryMs: null,
    lastEventIds: [],
    connectedAt: [],
    emit(data, type) {
      const event = { id: log.length + 1, data, type: type ?? null };
      log.push(event);
      for (const res of open) res.write(frame(event));
      return event.id;
    },
    dropAll() {
      const count = open.size;
      for (const res of open) res.destroy();
      open.clear();
      return count;
    },
    openStreams: () => open.size,
    handle(req, res) {
      const method = req.method ?? 'GET';
      if (method !== 'GET') return sendMethodNotAllowed(res, ['GET']);
      const header = req.headers['last-event-id'];
      const lastEventId = typeof header === 'string' ? header : null;
      streams.lastEventIds.push(lastEventId);
      streams.connectedAt.push(Date.now());
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
      // A comment first, so the client sees the stream open before any event.
      res.write(streams.retryMs === null ? ': open\n\n' : `: open\nretry: ${streams.retryMs}\n\n`);
      const after = lastEventId === null ? log.length : Number(lastEventId);
      for (const event of log) if (event.id > after) res.write(frame(event));
      open.add(res);
      res.on('close', () => open.delete(res));
    },
  };
  return streams;
}
