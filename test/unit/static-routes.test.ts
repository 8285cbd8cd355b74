import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { countConditions, staticRoutes } from '../../src/core/static-routes.js';
import { ORIGIN } from './helpers.js';

const origin = { protocol: 'https', hostname: 'app.example', port: '' };

describe('staticRoutes', () => {
  it('sends captures to the worker, then navigations and no-cors to the network, then everything off the API', () => {
    const rules = staticRoutes(resolveConfig({ api: ['/api/'], capture: ['/oauth/token'] }, ORIGIN));
    expect(rules).toEqual([
      { condition: { urlPattern: { ...origin, pathname: '/oauth/token' } }, source: 'fetch-event' },
      { condition: { or: [{ requestMode: 'navigate' }, { requestMode: 'no-cors' }] }, source: 'network' },
      {
        condition: {
          not: { or: [{ urlPattern: { ...origin, pathname: '/api/*' } }, { urlPattern: { ...origin, pathname: '/oauth/token' } }] },
        },
        source: 'network',
      },
    ]);
  });

  it('has no capture rule without capture URLs, and no `or` around a single pattern', () => {
    const rules = staticRoutes(resolveConfig({ api: ['/api/'] }, ORIGIN));
    expect(rules).toHaveLength(2);
    expect(rules[1]).toEqual({ condition: { not: { urlPattern: { ...origin, pathname: '/api/*' } } }, source: 'network' });
  });

  it('keeps prefixes on other origins and ports, and leaves search and hash open', () => {
    const config = resolveConfig({ api: ['https://api.example:8443/v1/', 'http://127.0.0.1:5173/data'] }, ORIGIN, {
      allowCrossOriginApi: true,
    });
    const capture = resolveConfig({ capture: ['https://app.example/login?next=1'] }, ORIGIN).capture;
    const [, , last] = staticRoutes({ ...config, capture });
    expect(last?.condition.not?.or).toEqual([
      { urlPattern: { protocol: 'https', hostname: 'api.example', port: '8443', pathname: '/v1/*' } },
      { urlPattern: { protocol: 'http', hostname: '127.0.0.1', port: '5173', pathname: '/data*' } },
      { urlPattern: { ...origin, pathname: '/login' } },
    ]);
  });

  it('escapes URL pattern syntax, so a path matches literally and never holds a regular-expression group', () => {
    const rules = staticRoutes(resolveConfig({ api: ['/api(v1)/a:b/c*d+e/{x}/'] }, ORIGIN));
    expect(rules[1]?.condition.not?.urlPattern).toEqual({
      ...origin,
      pathname: '/api\\(v1\\)/a\\:b/c\\*d\\+e/%7Bx%7D/*' /* the URL parser percent-encodes braces */,
    });
  });

  it('counts every condition, nested ones included', () => {
    expect(countConditions(staticRoutes(resolveConfig({ api: ['/api/'] }, ORIGIN)))).toBe(5);
    // 6 + api + 2 × capture, as documented for authProxyRoutes.
    const rules = staticRoutes(resolveConfig({ api: ['/api/', '/graphql'], capture: ['/login', '/oauth/token'] }, ORIGIN));
    expect(countConditions(rules)).toBe(6 + 2 + 2 * 2);
  });

  it('sends navigations to a callback capture URL (tokens in its query or fragment) to the fetch handler', () => {
    const config = resolveConfig({ capture: ['/api/token/', { url: '/callback', from: 'fragment' }] }, ORIGIN);
    const [first, navigations] = staticRoutes(config);
    expect(first).toEqual({
      condition: { or: [{ urlPattern: { ...origin, pathname: '/api/token/' } }, { urlPattern: { ...origin, pathname: '/callback' } }] },
      source: 'fetch-event',
    });
    expect(navigations?.source).toBe('network');
  });
  it('sends upload prefixes to the network first, exactly at a segment boundary, and opted-in media to the worker', () => {
    const config = resolveConfig({ api: ['/api/'], upload: ['/api/files', '/big/'], media: true }, ORIGIN);
    const [uploads, toWorker, navigations] = staticRoutes(config);
    expect(uploads).toEqual({
      condition: {
        or: [
          { urlPattern: { ...origin, pathname: '/api/files' } },
          { urlPattern: { ...origin, pathname: '/api/files/*' } },
          { urlPattern: { ...origin, pathname: '/big/*' } },
        ],
      },
      source: 'network',
    });
    expect(toWorker).toEqual({
      condition: { requestMode: 'no-cors', urlPattern: { ...origin, pathname: '/api/*' } },
      source: 'fetch-event',
    });
    expect(navigations?.source).toBe('network');
  });
});
