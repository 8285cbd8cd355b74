import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { routeFor, type RequestFacts } from '../../src/core/routing.js';
import { BASE_CONFIG, ORIGIN, PATHS, url } from './helpers.js';

const config = resolveConfig({ ...BASE_CONFIG, logout: { url: PATHS.logout } }, ORIGIN);

function facts(
  target: string,
  init: { method?: string; mode?: RequestMode; headers?: Record<string, string>; destination?: RequestDestination } = {},
): RequestFacts {
  return {
    url: new URL(target, ORIGIN).href,
    method: init.method ?? 'GET',
    mode: init.mode ?? 'cors',
    headers: new Headers(init.headers),
    destination: init.destination ?? '',
  };
}

describe('routeFor', () => {
  it('sends same-origin API requests through the token pipeline', () => {
    expect(routeFor(facts('/api/users'), config)).toBe('api');
    expect(routeFor(facts('/api/users?page=2', { method: 'POST' }), config)).toBe('api');
    expect(routeFor(facts('/api/users', { mode: 'same-origin', method: 'DELETE' }), config)).toBe('api');
  });

  it('ignores the URL fragment', () => {
    expect(routeFor(facts('/api/users#section'), config)).toBe('api');
  });

  it('passes navigations, even to API URLs', () => {
    expect(routeFor(facts('/api/users', { mode: 'navigate' }), config)).toBe('pass');
  });

  it('passes no-cors requests, even to API URLs', () => {
    expect(routeFor(facts('/api/image.png', { mode: 'no-cors' }), config)).toBe('pass');
  });

  it('passes a request that brings its own Authorization header', () => {
    expect(routeFor(facts('/api/users', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } }), config)).toBe('pass');
    expect(routeFor(facts('/api/users', { headers: { authorization: 'Bearer mine' } }), config)).toBe('pass');
  });

  it('captures POSTs to a capture endpoint, query string or not', () => {
    expect(routeFor(facts(PATHS.login, { method: 'POST' }), config)).toBe('capture');
    expect(routeFor(facts(`${PATHS.login}?next=%2Fhome`, { method: 'POST' }), config)).toBe('capture');
  });

  it('captures POSTs to capture entries given as objects with from: body, not to navigation captures', () => {
    const entries = resolveConfig(
      { capture: [{ url: '/api/token/' }, { url: '/api/exchange', from: 'body' }, { url: '/callback', from: 'query' }] },
      ORIGIN,
    );
    expect(routeFor(facts('/api/token/', { method: 'POST' }), entries)).toBe('capture');
    expect(routeFor(facts('/api/exchange?x=1', { method: 'POST' }), entries)).toBe('capture');
    expect(routeFor(facts('/callback', { method: 'POST' }), entries)).toBe('pass');
  });

  it("ignores a capture entry's query when matching: it is what auth.login() sends (Supabase's grant_type)", () => {
    const supabase = resolveConfig(
      { capture: ['/auth/v1/token?grant_type=password'], refresh: { url: '/auth/v1/token?grant_type=refresh_token' } },
      ORIGIN,
    );
    expect(routeFor(facts('/auth/v1/token?grant_type=password', { method: 'POST' }), supabase)).toBe('capture');
    expect(routeFor(facts('/auth/v1/token', { method: 'POST' }), supabase)).toBe('capture');
  });

  it('does not capture non-POST requests to a capture endpoint', () => {
    expect(routeFor(facts(PATHS.login, { method: 'GET' }), config)).not.toBe('capture');
  });

  it('does not capture navigations (form posts) to a capture endpoint', () => {
    expect(routeFor(facts(PATHS.login, { method: 'POST', mode: 'navigate' }), config)).toBe('pass');
  });

  it('passes the refresh and logout endpoints with a query string too', () => {
    expect(routeFor(facts(`${PATHS.refresh}?x=1`, { method: 'POST' }), config)).toBe('pass');
    expect(routeFor(facts(`${PATHS.logout}?x=1`, { method: 'POST' }), config)).toBe('pass');
  });

  it('passes the refresh and logout endpoints even though they are under the API prefix', () => {
    expect(routeFor(facts(PATHS.refresh, { method: 'POST' }), config)).toBe('pass');
    expect(routeFor(facts(PATHS.logout, { method: 'POST' }), config)).toBe('pass');
  });

  it('passes same-origin URLs outside the API prefixes', () => {
    expect(routeFor(facts('/index.html'), config)).toBe('pass');
    expect(routeFor(facts('/apiary/x'), config)).toBe('pass');
  });

  it('matches a prefix at a path-segment boundary', () => {
    const graphql = resolveConfig({ api: ['/graphql'] }, ORIGIN);
    expect(routeFor(facts('/graphql', { method: 'POST' }), graphql)).toBe('api');
    expect(routeFor(facts('/graphql?query=%7Bme%7D'), graphql)).toBe('api');
    expect(routeFor(facts('/graphqlx', { method: 'POST' }), graphql)).toBe('pass');
    expect(routeFor(facts('/graphql/../admin'), graphql)).toBe('pass');
  });

  it('routes every method alike, extension methods included', () => {
    for (const method of ['OPTIONS', 'PROPFIND', 'QUERY', 'patch']) expect(routeFor(facts('/api/users', { method }), config)).toBe('api');
  });

  it('passes requests to other origins, even with an /api/ path', () => {
    expect(routeFor(facts('https://evil.example/api/users'), config)).toBe('pass');
    expect(routeFor(facts('http://app.example/api/users'), config)).toBe('pass');
    expect(routeFor(facts('https://app.example.evil.test/api/users'), config)).toBe('pass');
  });

  it('routes an explicitly allowed other-origin API', () => {
    const crossOrigin = resolveConfig({ api: ['https://api.other.example/v1/'] }, ORIGIN, { allowCrossOriginApi: true });
    expect(routeFor(facts('https://api.other.example/v1/items'), crossOrigin)).toBe('api');
    expect(routeFor(facts(url('/api/items')), crossOrigin)).toBe('pass');
  });

  describe('media (no-cors subresources, opt-in)', () => {
    const media = resolveConfig({ ...BASE_CONFIG, logout: { url: PATHS.logout }, media: true }, ORIGIN);
    const image = (target: string, init: Parameters<typeof facts>[1] = {}) =>
      facts(target, { mode: 'no-cors', destination: 'image', ...init });

    it('is off by default: an <img> under an api prefix passes', () => {
      expect(routeFor(image('/api/avatar'), config)).toBe('pass');
    });

    it('gives same-origin images, audio, video and tracks under the prefixes the token', () => {
      for (const destination of ['image', 'audio', 'video', 'track'] as const) {
        expect(routeFor(image('/api/avatar', { destination }), media), destination).toBe('api');
      }
    });

    it('never navigations, iframes, scripts, styles, objects or fetch(no-cors)', () => {
      expect(routeFor(facts('/api/avatar', { mode: 'navigate', destination: 'document' }), media)).toBe('pass');
      expect(routeFor(facts('/api/avatar', { mode: 'navigate', destination: 'iframe' }), media)).toBe('pass');
      for (const destination of ['script', 'style', 'object', 'embed', ''] as const) {
        expect(routeFor(image('/api/x', { destination }), media), destination || 'fetch').toBe('pass');
      }
    });

    it('never other origins, look-alike hosts or paths outside the prefixes', () => {
      expect(routeFor(image('https://evil.example/api/avatar'), media)).toBe('pass');
      expect(routeFor(image('https://app.example.evil.test/api/avatar'), media)).toBe('pass');
      expect(routeFor(image('/apiary/avatar'), media)).toBe('pass');
      expect(routeFor(image('/static/logo.png'), media)).toBe('pass');
    });

    it('never a method other than GET, and never over its own Authorization', () => {
      expect(routeFor(image('/api/avatar', { method: 'POST' }), media)).toBe('pass');
      expect(routeFor(image('/api/avatar', { headers: { Authorization: 'Bearer mine' } }), media)).toBe('pass');
    });

    it('a media list narrows it: other api paths keep passing as media, and fetch keeps using api', () => {
      const narrow = resolveConfig({ ...BASE_CONFIG, media: ['/api/avatars/'] }, ORIGIN);
      expect(routeFor(image('/api/avatars/1.png'), narrow)).toBe('api');
      expect(routeFor(image('/api/export.png'), narrow)).toBe('pass');
      expect(routeFor(facts('/api/export.png'), narrow)).toBe('api');
    });

    it('never a cross-origin api prefix, even with media: true', () => {
      const cross = resolveConfig({ api: ['https://api.other.example/'], media: true }, ORIGIN, { allowCrossOriginApi: true });
      expect(routeFor(image('https://api.other.example/avatar'), cross)).toBe('pass');
      expect(routeFor(facts('https://api.other.example/avatar'), cross)).toBe('api');
    });
  });

  describe('upload prefixes', () => {
    const uploads = resolveConfig({ ...BASE_CONFIG, upload: ['/api/files/upload'] }, ORIGIN);

    it('are left to the network, whatever the method, even under an api prefix', () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'GET'])
        expect(routeFor(facts('/api/files/upload', { method }), uploads), method).toBe('pass');
      expect(routeFor(facts('/api/files/upload/part-2?session=1', { method: 'PUT' }), uploads)).toBe('pass');
    });

    it('match at a segment boundary: the rest of the api still gets the token', () => {
      expect(routeFor(facts('/api/files/uploads', { method: 'POST' }), uploads)).toBe('api');
      expect(routeFor(facts('/api/files', { method: 'POST' }), uploads)).toBe('api');
    });
  });
});
