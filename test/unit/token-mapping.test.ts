import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import {
  parentOf,
  parentPath,
  readPath,
  resolveTokenMapping,
  RFC6749_MAPPING,
  withoutPath,
  withoutValue,
  type TokenMapping,
} from '../../src/core/token-mapping.js';

function mappingError(mapping: unknown): ConfigError {
  try {
    resolveTokenMapping(mapping, RFC6749_MAPPING, 'tokenResponse');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected resolveTokenMapping to throw');
}

describe('resolveTokenMapping', () => {
  it('is RFC 6749 §5.1 when nothing is configured', () => {
    expect(resolveTokenMapping(undefined, RFC6749_MAPPING, 'tokenResponse')).toEqual({
      accessToken: 'access_token',
      refreshToken: 'refresh_token',
      expiresIn: 'expires_in',
      expiresAt: null,
      idToken: 'id_token',
      named: [],
    });
  });

  it('replaces only the members it names, and remembers which ones it named', () => {
    const drf = resolveTokenMapping({ accessToken: 'access', refreshToken: 'refresh' }, RFC6749_MAPPING, 'tokenResponse');
    expect(drf).toEqual({
      accessToken: 'access',
      refreshToken: 'refresh',
      expiresIn: 'expires_in',
      expiresAt: null,
      idToken: 'id_token',
      named: ['accessToken', 'refreshToken'],
    });
  });

  it('layers a capture entry over the config mapping member by member', () => {
    const base = resolveTokenMapping({ refreshToken: 'refresh', expiresAt: 'expires_at' }, RFC6749_MAPPING, 'tokenResponse');
    const entry = resolveTokenMapping({ accessToken: 'token' }, base, 'capture[1].tokenResponse');
    expect(entry).toMatchObject({ accessToken: 'token', refreshToken: 'refresh', expiresAt: 'expires_at' });
    expect([...entry.named].sort()).toEqual(['accessToken', 'expiresAt', 'refreshToken']);
    // The base is not changed by the layer above it.
    expect(base.accessToken).toBe('access_token');
  });

  it('null says the backend never sends a member (and it is no longer required)', () => {
    const base = resolveTokenMapping({ idToken: 'oidc.id' }, RFC6749_MAPPING, 'tokenResponse');
    const entry = resolveTokenMapping({ idToken: null, expiresIn: null }, base, 'capture[0].tokenResponse');
    expect(entry).toMatchObject({ idToken: null, expiresIn: null, named: [] });
  });

  it('accepts dot paths', () => {
    expect(resolveTokenMapping({ accessToken: 'data.session.access_token' }, RFC6749_MAPPING, 'tokenResponse').accessToken).toBe(
      'data.session.access_token',
    );
  });

  it.each<[string, unknown]>([
    ['the mapping is a string', 'access'],
    ['the mapping is an array', ['access']],
    ['accessToken is empty', { accessToken: '' }],
    ['accessToken is null (there is always an access token)', { accessToken: null }],
    ['a member is a number', { expiresIn: 3600 }],
    ['a path has an empty segment', { accessToken: 'data..access' }],
    ['a path ends with a dot', { refreshToken: 'data.' }],
    ['a path reaches into a prototype', { accessToken: 'data.__proto__.token' }],
    ['a path names constructor', { refreshToken: 'constructor' }],
  ])('throws ConfigError when %s', (_name, mapping) => {
    expect(mappingError(mapping)).toBeInstanceOf(ConfigError);
  });

  it('survives a JSON round trip unchanged (it travels in the worker URL and the baked config)', () => {
    const mapping: TokenMapping = resolveTokenMapping({ accessToken: 'a.b', expiresAt: 'c', idToken: null }, RFC6749_MAPPING, 'x');
    expect(JSON.parse(JSON.stringify(mapping))).toEqual(mapping);
  });
});

describe('readPath', () => {
  const body = { access: 'a', data: { session: { access_token: 't', expires_at: 0, nothing: null } }, list: [{ x: 1 }] };

  it('reads a member and a nested member', () => {
    expect(readPath(body, 'access')).toEqual({ found: true, value: 'a' });
    expect(readPath(body, 'data.session.access_token')).toEqual({ found: true, value: 't' });
  });

  it('finds members whose value is falsy', () => {
    expect(readPath(body, 'data.session.expires_at')).toEqual({ found: true, value: 0 });
    expect(readPath(body, 'data.session.nothing')).toEqual({ found: true, value: null });
  });

  it('does not find missing members, members of non-objects, array elements, or prototype members', () => {
    expect(readPath(body, 'refresh')).toEqual({ found: false });
    expect(readPath(body, 'data.user.id')).toEqual({ found: false });
    expect(readPath(body, 'access.length')).toEqual({ found: false });
    expect(readPath(body, 'list.0')).toEqual({ found: false });
    expect(readPath(body, 'constructor')).toEqual({ found: false });
    expect(readPath(body, '__proto__')).toEqual({ found: false });
    expect(readPath(null, 'access')).toEqual({ found: false });
  });
});

describe('parentPath', () => {
  it('is the path above the last member, or null at the top', () => {
    expect(parentPath('data.session.access_token')).toBe('data.session');
    expect(parentPath('access')).toBeNull();
  });
});

describe('parentOf', () => {
  it('is the body for a member name and the enclosing object for a dot path', () => {
    const body = { token_type: 'top', data: { token_type: 'nested', access_token: 't' } };
    expect(parentOf(body, 'access_token')).toBe(body);
    expect(parentOf(body, 'data.access_token')).toBe(body.data);
    expect(parentOf(body, 'data.missing.access_token')).toBeNull();
  });
});

describe('withoutPath and withoutValue', () => {
  it('drops a nested member and leaves the original untouched', () => {
    const body = { data: { session: { refresh_token: 'r', user: 'ada' } }, ok: true };
    expect(withoutPath(body, 'data.session.refresh_token')).toEqual({ data: { session: { user: 'ada' } }, ok: true });
    expect(body.data.session.refresh_token).toBe('r');
    expect(withoutPath(body, 'data.missing.refresh_token')).toEqual(body);
  });

  it('drops every member and array element that carries the value, at any depth', () => {
    const body = { refresh: 'secret', data: { tokens: { refresh: 'secret', access: 'a' }, all: ['secret', 'other'] }, note: 'secret-ish' };
    expect(withoutValue(body, 'secret')).toEqual({ data: { tokens: { access: 'a' }, all: ['other'] }, note: 'secret-ish' });
  });
});
