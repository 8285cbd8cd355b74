import { describe, expect, it } from 'vitest';
import { sendWithToken, type TokenSource } from '../../src/core/pipeline.js';
import {
  BASE_CONFIG,
  PATHS,
  T0,
  createHarness,
  jsonResponse,
  rotatingRefresh,
  sessionRecord,
  tokenSet,
  unauthorized,
  url,
  type Handler,
} from './helpers.js';

const API = '/api/data';

/**
 * An engine holding `access-0` (valid for an hour as far as the client knows) and an API
 * whose verdict is `api`. The refresh endpoint rotates to access-1, access-2, ...
 */
function setup(api: Handler, options: { replayBodyLimit?: number } = {}) {
  const harness = createHarness({
    record: sessionRecord(tokenSet({ expiresAt: T0 + 3_600_000 })),
    config: { ...BASE_CONFIG, ...(options.replayBodyLimit === undefined ? {} : { replayBodyLimit: options.replayBodyLimit }) },
  });
  harness.server.on(PATHS.refresh, rotatingRefresh());
  harness.server.on(API, api);
  const send = (request: Request): Promise<Response> =>
    sendWithToken(request, {
      tokens: harness.engine,
      fetch: harness.server.fetch,
      replayBodyLimit: harness.config.replayBodyLimit,
      api: harness.config.api,
    });
  const authorizations = (): (string | null)[] => harness.server.calls(API).map((call) => call.request.headers.get('authorization'));
  const bodies = (): Promise<Uint8Array[]> => Promise.all(harness.server.calls(API).map(async (call) => new Uint8Array(await call.body)));
  return { ...harness, send, authorizations, bodies };
}

/** The API accepts exactly this token and answers every other one with `rejection`. */
const acceptOnly =
  (token: string, rejection: () => Response = () => unauthorized('invalid_token')): Handler =>
  (request) =>
    request.headers.get('authorization') === `Bearer ${token}` ? jsonResponse({ ok: true }) : rejection();

/** Every byte value, several times: catches any text re-encoding of the body. */
function binaryBody(size = 1024): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) % 256;
  return bytes;
}

function streamOf(bytes: Uint8Array, chunk = 100): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

const post = (body: BodyInit, headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' }): Request =>
  new Request(url(API), { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

describe('sendWithToken', () => {
  it('injects Authorization: Bearer and keeps the rest of the request', async () => {
    const { send, server, authorizations, bodies } = setup(acceptOnly('access-0'));
    const response = await send(
      new Request(`${url(API)}?page=2`, {
        method: 'PUT',
        body: '{"a":1}',
        headers: { 'Content-Type': 'application/json', 'X-Trace': 't-1' },
      }),
    );
    expect(response.status).toBe(200);
    expect(authorizations()).toEqual(['Bearer access-0']);
    const [call] = server.calls(API);
    expect(call!.request.method).toBe('PUT');
    expect(call!.request.url).toBe(`${url(API)}?page=2`);
    expect(call!.request.headers.get('x-trace')).toBe('t-1');
    expect(call!.request.headers.get('content-type')).toBe('application/json');
    expect(new TextDecoder().decode((await bodies())[0])).toBe('{"a":1}');
  });

  it('never puts the token in the URL', async () => {
    const { send, server } = setup(acceptOnly('access-0'));
    await send(new Request(url(API)));
    expect(server.calls(API)[0]!.request.url).not.toContain('access-0');
  });

  it('replays once on a 401 invalid_token with a fresh token and a byte-identical body', async () => {
    const { send, server, authorizations, bodies } = setup(acceptOnly('access-1'));
    const original = binaryBody();
    const response = await send(post(original.slice()));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(server.count(PATHS.refresh)).toBe(1);
    expect(authorizations()).toEqual(['Bearer access-0', 'Bearer access-1']);
    const [first, replay] = await bodies();
    expect(first).toEqual(original);
    expect(replay).toEqual(original);
    expect(server.calls(API)[1]!.request.headers.get('content-type')).toBe('application/octet-stream');
  });

  describe('in an engine without Request.prototype.body (Firefox)', () => {
    const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, 'body')!;
    // Firefox's Request has no `body` member at all; the bytes are only readable whole.
    const withoutBody = async (run: () => Promise<void>): Promise<void> => {
      Object.defineProperty(Request.prototype, 'body', { configurable: true, get: () => undefined });
      try {
        await run();
      } finally {
        Object.defineProperty(Request.prototype, 'body', descriptor);
      }
    };

    it('replays a POST body byte-identically', () =>
      withoutBody(async () => {
        const { send, authorizations, bodies } = setup(acceptOnly('access-1'));
        const original = binaryBody();
        const response = await send(new Request(url(API), { method: 'POST', body: original.slice() }));
        expect(response.status).toBe(200);
        expect(authorizations()).toEqual(['Bearer access-0', 'Bearer access-1']);
        expect(await bodies()).toEqual([original, original]);
      }));

    it('sends a body over replayBodyLimit once, intact, and does not replay it', () =>
      withoutBody(async () => {
        const { send, server, bodies } = setup(acceptOnly('access-1'), { replayBodyLimit: 100 });
        const original = binaryBody(101);
        const response = await send(new Request(url(API), { method: 'POST', body: original.slice() }));
        expect(response.status).toBe(401);
        expect(server.calls(API)).toHaveLength(1);
        expect(await bodies()).toEqual([original]);
      }));
  });

  it('replays a streamed body under the limit byte-identically', async () => {
    const { send, authorizations, bodies } = setup(acceptOnly('access-1'));
    const original = binaryBody(1000);
    const response = await send(post(streamOf(original)));
    expect(response.status).toBe(200);
    expect(authorizations()).toEqual(['Bearer access-0', 'Bearer access-1']);
    expect(await bodies()).toEqual([original, original]);
  });

  it('replays on a 401 with a bare Bearer challenge or no WWW-Authenticate at all', async () => {
    for (const rejection of [() => unauthorized(null), () => new Response(null, { status: 401 })]) {
      const { send, authorizations } = setup(acceptOnly('access-1', rejection));
      expect((await send(new Request(url(API)))).status).toBe(200);
      expect(authorizations()).toEqual(['Bearer access-0', 'Bearer access-1']);
    }
  });

  it('does not replay on insufficient_scope', async () => {
    const { send, server } = setup(() => unauthorized('insufficient_scope'));
    const response = await send(new Request(url(API)));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect(server.count(API)).toBe(1);
    expect(server.count(PATHS.refresh)).toBe(0);
  });

  it('does not replay on a step-up challenge (insufficient_user_authentication)', async () => {
    const { send, server } = setup(() => unauthorized('insufficient_user_authentication'));
    expect((await send(new Request(url(API)))).status).toBe(401);
    expect(server.count(API)).toBe(1);
    expect(server.count(PATHS.refresh)).toBe(0);
  });

  it('does not replay on 403', async () => {
    const { send, server } = setup(
      () => new Response('forbidden', { status: 403, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } }),
    );
    const response = await send(post(binaryBody()));
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('forbidden');
    expect(server.count(API)).toBe(1);
    expect(server.count(PATHS.refresh)).toBe(0);
  });

  it('replays at most once when the server always answers 401', async () => {
    const { send, server, authorizations } = setup(() => unauthorized('invalid_token'));
    const response = await send(post(binaryBody()));
    expect(response.status).toBe(401);
    expect(server.count(API)).toBe(2);
    expect(server.count(PATHS.refresh)).toBe(1);
    expect(authorizations()).toEqual(['Bearer access-0', 'Bearer access-1']);
  });

  it('passes the 401 through when the refresh ends the session', async () => {
    const { send, server } = setup(acceptOnly('access-1'));
    server.on(PATHS.refresh, () => jsonResponse({ error: 'invalid_grant' }, { status: 400 }));
    const response = await send(new Request(url(API)));
    expect(response.status).toBe(401);
    expect(server.count(API)).toBe(1);
  });

  it('sends a body over replayBodyLimit once, intact, and does not replay it', async () => {
    const { send, server, authorizations, bodies } = setup(acceptOnly('access-1'), { replayBodyLimit: 16 });
    const original = binaryBody(64);
    const response = await send(post(original.slice()));
    expect(response.status).toBe(401);
    expect(server.count(API)).toBe(1);
    expect(authorizations()).toEqual(['Bearer access-0']);
    expect(await bodies()).toEqual([original]);
  });

  it('sends a streamed body over replayBodyLimit once, intact, and does not replay it', async () => {
    const { send, server, bodies } = setup(acceptOnly('access-1'), { replayBodyLimit: 250 });
    const original = binaryBody(1000);
    const response = await send(post(streamOf(original)));
    expect(response.status).toBe(401);
    expect(server.count(API)).toBe(1);
    expect(await bodies()).toEqual([original]);
  });

  it('still refreshes after a 401 on a body too large to replay, so the app can retry with a fresh token', async () => {
    const { send, server, authorizations } = setup(acceptOnly('access-1'), { replayBodyLimit: 16 });
    expect((await send(post(binaryBody(64)))).status).toBe(401);
    expect(server.count(PATHS.refresh)).toBe(1);
    expect((await send(post(binaryBody(64)))).status).toBe(200);
    expect(authorizations()).toEqual(['Bearer access-0', 'Bearer access-1']);
  });

  it('a body exactly at replayBodyLimit is still replayable', async () => {
    const { send, bodies } = setup(acceptOnly('access-1'), { replayBodyLimit: 64 });
    const original = binaryBody(64);
    expect((await send(post(original.slice()))).status).toBe(200);
    expect(await bodies()).toEqual([original, original]);
  });

  it('without a token, sends the request untouched', async () => {
    const { engine, server } = createHarness();
    server.on(API, () => new Response('public'));
    const request = new Request(url(API), { method: 'POST', body: 'hello', headers: { 'X-Trace': 't-2' } });
    const response = await sendWithToken(request, { tokens: engine, fetch: server.fetch, replayBodyLimit: 1024, api: [url('/api/')] });
    expect(await response.text()).toBe('public');
    const [call] = server.calls(API);
    expect(call!.request).toBe(request);
    expect(call!.request.headers.get('authorization')).toBeNull();
    expect(new TextDecoder().decode(await call!.body)).toBe('hello');
  });

  it('does not replay when the token source has nothing better than the rejected token', async () => {
    const calls: string[] = [];
    const source: TokenSource = {
      tokenForRequest: async () => 'only-token',
      tokenAfterRejection: async (rejected) => {
        calls.push(rejected);
        return rejected;
      },
      tokenVerdict: () => undefined,
    };
    let sent = 0;
    const response = await sendWithToken(new Request(url(API)), {
      tokens: source,
      fetch: async () => {
        sent += 1;
        return unauthorized('invalid_token');
      },
      replayBodyLimit: 1024,
      api: [url('/api/')],
    });
    expect(response.status).toBe(401);
    expect(sent).toBe(1);
    expect(calls).toEqual(['only-token']);
  });

  describe('reports what the API made of each token (for the circuit breaker)', () => {
    /** A token source that hands out `first`, then `fresh` after a rejection, and records verdicts. */
    function recordingSource(): TokenSource & { verdicts: [string, boolean][] } {
      const verdicts: [string, boolean][] = [];
      return {
        verdicts,
        tokenForRequest: async () => 'first',
        tokenAfterRejection: async () => 'fresh',
        tokenVerdict: (token, accepted) => void verdicts.push([token, accepted]),
      };
    }

    const sendThrough = (source: TokenSource, answers: Response[]) =>
      sendWithToken(new Request(url(API)), {
        tokens: source,
        fetch: async () => answers.shift()!,
        replayBodyLimit: 1024,
        api: [url('/api/')],
      });

    it('accepted: a 2xx, a 403 or a 404; the replay is judged too', async () => {
      for (const status of [200, 204, 403, 404]) {
        const source = recordingSource();
        await sendThrough(source, [new Response(null, { status })]);
        expect(source.verdicts, String(status)).toEqual([['first', true]]);
      }
      const source = recordingSource();
      await sendThrough(source, [unauthorized('invalid_token'), jsonResponse({ ok: true })]);
      expect(source.verdicts).toEqual([['fresh', true]]);
    });

    it('rejected: a replay that gets an invalid-token challenge again', async () => {
      const source = recordingSource();
      const response = await sendThrough(source, [unauthorized('invalid_token'), unauthorized(null)]);
      expect(response.status).toBe(401);
      expect(source.verdicts).toEqual([['fresh', false]]);
    });

    it('no verdict: a 5xx or a step-up challenge says nothing about the token', async () => {
      for (const answer of [new Response(null, { status: 503 }), unauthorized('insufficient_user_authentication')]) {
        const source = recordingSource();
        await sendThrough(source, [answer]);
        expect(source.verdicts).toEqual([]);
      }
    });
  });

  describe('the circuit breaker, end to end through the engine', () => {
    it('five revoke-and-replay cycles in a few seconds all recover, each with one refresh', async () => {
      let current = 'access-0';
      const { send, server, clock } = setup((request) =>
        request.headers.get('authorization') === `Bearer ${current}` ? jsonResponse({ ok: true }) : unauthorized('invalid_token'),
      );
      for (let i = 1; i <= 5; i++) {
        current = `access-${i}`; // the server revoked the previous token; the next refresh issues this one
        expect((await send(new Request(url(API)))).status).toBe(200);
        clock.advance(1_000);
      }
      expect(server.count(PATHS.refresh)).toBe(5);
    });

    it('an API that rejects every token: three futile refreshes, then 401s pass through with no refresh', async () => {
      const { send, server, authorizations } = setup(() => unauthorized('invalid_token'));
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await send(new Request(url(API)))).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
      expect(server.count(PATHS.refresh)).toBe(3);
      expect(authorizations()).toHaveLength(9);
    });
  });

  describe('redirects', () => {
    /** A response as fetch returns it after following redirects to `finalUrl`. */
    function redirectedTo(finalUrl: string, response: Response): Response {
      return Object.defineProperties(response, { redirected: { value: true }, url: { value: finalUrl } });
    }

    it('a 401 fetched from another origin after a redirect is passed through: no refresh, no replay', async () => {
      const { send, server } = setup(() => redirectedTo('https://elsewhere.example/login', unauthorized(null)));
      const response = await send(new Request(url(API)));
      expect(response.status).toBe(401);
      expect(server.count(API)).toBe(1);
      expect(server.count(PATHS.refresh)).toBe(0);
    });

    it('a 401 from a same-origin path outside the API prefixes after a redirect is passed through too', async () => {
      const { send, server } = setup(() => redirectedTo(url('/public/page'), unauthorized('invalid_token')));
      expect((await send(new Request(url(API)))).status).toBe(401);
      expect(server.count(PATHS.refresh)).toBe(0);
    });

    it('a 401 from an API URL after a same-origin redirect is refreshed and replayed as usual', async () => {
      const { send, server } = setup((request) =>
        request.headers.get('authorization') === 'Bearer access-1'
          ? redirectedTo(url('/api/moved'), jsonResponse({ ok: true }))
          : redirectedTo(url('/api/moved'), unauthorized('invalid_token')),
      );
      expect((await send(new Request(url(API)))).status).toBe(200);
      expect(server.count(PATHS.refresh)).toBe(1);
      expect(server.count(API)).toBe(2);
    });
  });

  it('sends a no-cors media request as same-origin, where a request may carry Authorization', async () => {
    const { send, server } = setup(acceptOnly('access-0'));
    const response = await send(new Request(url(API), { mode: 'no-cors' }));
    expect(response.status).toBe(200);
    const [call] = server.calls(API);
    expect(call!.request.mode).toBe('same-origin');
    expect(call!.request.headers.get('authorization')).toBe('Bearer access-0');
  });
});
