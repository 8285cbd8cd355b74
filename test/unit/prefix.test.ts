import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { matchesPrefix } from '../../src/core/prefix.js';
import { ORIGIN } from './helpers.js';

/** Prefixes as resolveConfig leaves them (absolute, normalised). */
function prefixes(...entries: string[]): string[] {
  return resolveConfig({ api: entries }, ORIGIN, { allowCrossOriginApi: true }).api;
}

const matches = (url: string, ...entries: string[]): boolean => matchesPrefix(url, prefixes(...entries));

describe('matchesPrefix: path-segment boundary', () => {
  it('a prefix without a trailing slash covers itself, its subpaths and its query, never a longer name', () => {
    expect(matches(`${ORIGIN}/graphql`, '/graphql')).toBe(true);
    expect(matches(`${ORIGIN}/graphql/`, '/graphql')).toBe(true);
    expect(matches(`${ORIGIN}/graphql/batch`, '/graphql')).toBe(true);
    expect(matches(`${ORIGIN}/graphql?query=%7Bme%7D`, '/graphql')).toBe(true);
    expect(matches(`${ORIGIN}/graphqlx`, '/graphql')).toBe(false);
    expect(matches(`${ORIGIN}/graphql-admin/x`, '/graphql')).toBe(false);
    expect(matches(`${ORIGIN}/graphql.json`, '/graphql')).toBe(false);
    expect(matches(`${ORIGIN}/apiary`, '/api')).toBe(false);
    expect(matches(`${ORIGIN}/apiary/x`, '/api')).toBe(false);
  });

  it('a prefix with a trailing slash covers what is under it, not the bare name', () => {
    expect(matches(`${ORIGIN}/api/`, '/api/')).toBe(true);
    expect(matches(`${ORIGIN}/api/users?page=2`, '/api/')).toBe(true);
    expect(matches(`${ORIGIN}/api`, '/api/')).toBe(false);
    expect(matches(`${ORIGIN}/api?x=1`, '/api/')).toBe(false);
    expect(matches(`${ORIGIN}/apiary`, '/api/')).toBe(false);
  });

  it('deeper prefixes match segment by segment', () => {
    expect(matches(`${ORIGIN}/api/v1/users`, '/api/v1')).toBe(true);
    expect(matches(`${ORIGIN}/api/v10/users`, '/api/v1')).toBe(false);
    expect(matches(`${ORIGIN}/api/me`, '/api/me')).toBe(true);
    expect(matches(`${ORIGIN}/api/method/GET`, '/api/me')).toBe(false);
  });

  it('the root prefix covers the whole origin', () => {
    expect(matches(`${ORIGIN}/`, '/')).toBe(true);
    expect(matches(`${ORIGIN}/anything/at/all?q`, '/')).toBe(true);
  });

  it('ignores query and fragment, including a slash or the prefix inside them', () => {
    expect(matches(`${ORIGIN}/api#frag`, '/api')).toBe(true);
    expect(matches(`${ORIGIN}/apiary?next=/api/x`, '/api')).toBe(false);
    expect(matches(`${ORIGIN}/apiary#/api/x`, '/api')).toBe(false);
    expect(matches(`${ORIGIN}/apix?/`, '/api')).toBe(false);
  });

  it('matches any of several prefixes', () => {
    const list = prefixes('/api/', '/graphql');
    expect(matchesPrefix(`${ORIGIN}/graphql`, list)).toBe(true);
    expect(matchesPrefix(`${ORIGIN}/api/x`, list)).toBe(true);
    expect(matchesPrefix(`${ORIGIN}/graphqlx`, list)).toBe(false);
    expect(matchesPrefix(`${ORIGIN}/other`, list)).toBe(false);
  });
});

describe('matchesPrefix: URL normalisation', () => {
  it('resolves dot segments as the browser does before comparing, including %2e spellings', () => {
    expect(matches(`${ORIGIN}/api/../admin`, '/api')).toBe(false);
    expect(matches(`${ORIGIN}/api/%2e%2e/admin`, '/api')).toBe(false);
    expect(matches(`${ORIGIN}/api/.%2E/admin`, '/api')).toBe(false);
    expect(matches(`${ORIGIN}/api/x/../y`, '/api')).toBe(true);
    expect(matches(`${ORIGIN}/api/./y`, '/api')).toBe(true);
    expect(matches(`${ORIGIN}/other/../api/y`, '/api')).toBe(true);
    // A backslash is a path separator in http(s) URLs.
    expect(matches(`${ORIGIN}/api\\..\\admin`, '/api')).toBe(false);
  });

  it('an encoded slash right after the prefix is not a segment boundary', () => {
    expect(matches(`${ORIGIN}/api%2F..%2Fadmin`, '/api')).toBe(false);
    expect(matches(`${ORIGIN}/api%2Fx`, '/api')).toBe(false);
  });

  it('never matches a dot segment hidden behind an encoded separator under the prefix', () => {
    expect(matches(`${ORIGIN}/api/..%2Fadmin`, '/api')).toBe(false);
    expect(matches(`${ORIGIN}/api/..%2fadmin`, '/api/')).toBe(false);
    expect(matches(`${ORIGIN}/api/x/..%5Cadmin`, '/api')).toBe(false);
    expect(matches(`${ORIGIN}/api/%2E%2E%2Fadmin`, '/api')).toBe(false);
    expect(matches(`${ORIGIN}/api/a%2F.%2Fb`, '/api')).toBe(false);
  });

  it('keeps encoded slashes that name a resource, and malformed escapes, under the prefix', () => {
    expect(matches(`${ORIGIN}/api/v4/projects/group%2Fproject`, '/api')).toBe(true);
    expect(matches(`${ORIGIN}/api/files/a%2F..b`, '/api')).toBe(true);
    expect(matches(`${ORIGIN}/api/100%zz`, '/api')).toBe(true);
  });

  it('compares percent-encoding literally: an encoded letter is another name', () => {
    expect(matches(`${ORIGIN}/%61pi/x`, '/api')).toBe(false);
  });

  it('normalises the prefix the same way', () => {
    expect(matches(`${ORIGIN}/api/x`, '/v1/../api')).toBe(true);
    expect(matches(`${ORIGIN}/v1/x`, '/v1/../api')).toBe(false);
  });

  it('an unparsable URL matches nothing', () => {
    expect(matches('not a url', '/api')).toBe(false);
    expect(matches('http://[::1', '/api')).toBe(false);
  });
});

describe('matchesPrefix: origins', () => {
  it('never matches another origin with the same path', () => {
    expect(matches('https://evil.example/api/users', '/api')).toBe(false);
    expect(matches('http://app.example/api/users', '/api')).toBe(false);
    expect(matches('https://app.example:8443/api/users', '/api')).toBe(false);
  });

  it('a cross-origin prefix never matches a host that merely starts with it', () => {
    expect(matches('https://api.example.com/v1', 'https://api.example.com')).toBe(true);
    expect(matches('https://api.example.com.evil.test/v1', 'https://api.example.com')).toBe(false);
    expect(matches('https://api.example.com:8443/v1', 'https://api.example.com')).toBe(false);
    expect(matches('https://api.example.company/v1', 'https://api.example.com')).toBe(false);
    expect(matches('https://evil.test/https://api.example.com/v1', 'https://api.example.com')).toBe(false);
    expect(matches('https://api.example.com@evil.test/v1', 'https://api.example.com')).toBe(false);
  });

  it('treats the default port as no port, on either side', () => {
    expect(matches('https://api.example.com:443/v1/x', 'https://api.example.com/v1')).toBe(true);
    expect(matches('https://api.example.com/v1/x', 'https://api.example.com:443/v1')).toBe(true);
    expect(matches('http://api.example.com:80/v1/x', 'http://api.example.com/v1')).toBe(true);
    expect(matches('http://api.example.com:443/v1/x', 'http://api.example.com/v1')).toBe(false);
  });

  it('compares hosts case-insensitively', () => {
    expect(matches('https://API.Example.COM/v1/x', 'https://api.example.com/v1')).toBe(true);
    expect(matches('https://api.example.com/v1/x', 'https://API.EXAMPLE.com/v1')).toBe(true);
    // Paths stay case-sensitive.
    expect(matches('https://api.example.com/V1/x', 'https://api.example.com/v1')).toBe(false);
  });

  it('a cross-origin prefix with a path keeps the segment boundary', () => {
    expect(matches('https://api.example.com/v1', 'https://api.example.com/v1/')).toBe(false);
    expect(matches('https://api.example.com/v1/', 'https://api.example.com/v1/')).toBe(true);
    expect(matches('https://api.example.com/v10', 'https://api.example.com/v1')).toBe(false);
  });

  it('never matches a URL with an opaque origin', () => {
    expect(matches('data:text/plain,/api/x', '/api')).toBe(false);
    expect(matches('about:blank', '/api')).toBe(false);
  });
});
