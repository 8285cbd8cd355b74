import { expect, login, seenAt, test } from './fixtures.js';

/**
 * Every kind of body `fetch` accepts, replayed after a 401. The worker must buffer the body
 * before the first send (in Firefox there is no `Request.prototype.body` to stream from) and
 * send the very same bytes and Content-Type again: a multipart body re-encoded would get a new
 * boundary, a string re-encoded a new charset. The server records every body it receives at
 * /api/echo, the refused one too, so the replay is compared with the first send; and, but for the
 * multipart body, with the bytes the page meant.
 */
const KINDS = ['json', 'formdata', 'blob', 'urlsearchparams', 'arraybuffer'] as const;

for (const kind of KINDS) {
  test.describe(kind, () => {
    if (kind === 'formdata')
      test.skip(
        ({ engine, serviceWorkersBlocked }) => engine === 'webkit' && serviceWorkersBlocked,
        'WebKit page script cannot read a multipart body that holds a File ("Unable to read form data blob"), so page mode sends it once, unreplayed, like a body over replayBodyLimit',
      );
    test(`a POST body is replayed byte-identical, with its Content-Type, after one refresh`, async ({ openTab, server }) => {
      const page = await openTab();
      await login(page);
      server.revokeAccessTokens();
      server.resetCounters();

      const result = await page.evaluate(async (kind) => {
        const random = (size: number): Uint8Array<ArrayBuffer> => {
          const bytes = new Uint8Array(size);
          for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
          return bytes;
        };
        const inits: Record<string, () => RequestInit> = {
          json: () => ({ body: JSON.stringify({ note: 'grüße', n: [1, 2, 3] }), headers: { 'Content-Type': 'application/json' } }),
          formdata: () => {
            const form = new FormData();
            form.append('title', 'quarterly report');
            form.append('file', new File([random(100 * 1024)], 'report.bin', { type: 'application/octet-stream' }));
            return { body: form };
          },
          blob: () => ({ body: new Blob([random(48 * 1024)], { type: 'image/png' }) }),
          urlsearchparams: () => ({ body: new URLSearchParams({ q: 'a & b = c', lang: 'de-ß' }) }),
          arraybuffer: () => ({ body: random(32 * 1024).buffer }),
        };
        const init: RequestInit = { method: 'POST', ...inits[kind]!() };
        // The body as the page encodes it. Not for multipart: each encoding gets a new boundary
        // (and WebKit cannot read one with a file from script).
        let meant: { sha256: string; length: number; contentType: string | null } | null = null;
        if (kind !== 'formdata') {
          const request = new Request('/api/echo', init);
          const bytes = new Uint8Array(await request.arrayBuffer());
          const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
          const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
          meant = { sha256, length: bytes.length, contentType: request.headers.get('Content-Type') };
        }
        const response = await fetch('/api/echo', init);
        const received = (await response.json()) as { sha256: string; length: number; contentType: string | null };
        return { status: response.status, received, meant };
      }, kind);

      expect(result.status).toBe(200);
      const { sha256, length, contentType } = result.received;
      // The refused send and its replay: the same bytes and Content-Type, twice.
      expect({ ...server.counters.echoBodies }).toEqual({ [`${sha256} ${length} ${contentType}`]: 2 });
      if (kind === 'formdata') {
        expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
        expect(length).toBeGreaterThan(100 * 1024); // the file and the field
      } else expect(result.received).toEqual(result.meant);
      expect(server.counters.unauthorizedSent).toBe(1);
      expect(server.counters.refreshCalls).toBe(1);
      expect(seenAt(server, '/api/echo').withAuthorization).toBe(2);
    });
  });
}
