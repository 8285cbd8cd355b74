import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';

/**
 * createAuthProxy's own options are validated before anything is wired, so this needs no real
 * worker: only `self.location` for resolving the config and `self.registration.scope` for the probe's URL.
 */
describe('createAuthProxy options', () => {
  beforeEach(() => {
    vi.stubGlobal('self', { location: new URL('https://app.example/sw.js'), registration: { scope: 'https://app.example/' } });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('refuses a staticRoutes that is not true or false, naming it', async () => {
    const { createAuthProxy } = await import('../../sw/index.js');
    const options = { staticRoutes: 'yes' } as unknown as { staticRoutes: boolean };
    expect(() => createAuthProxy({}, options)).toThrow(ConfigError);
    expect(() => createAuthProxy({}, options)).toThrow(/createAuthProxy option staticRoutes must be true or false, got "yes"/);
  });

  it('gives the rules it would add to an app that merges them with its own', async () => {
    const { authProxyRoutes } = await import('../../sw/index.js');
    const rules = authProxyRoutes({ api: ['/api/'], capture: ['/login'] });
    expect(rules.map((rule) => rule.source)).toEqual(['fetch-event', 'network', 'network']);
    // The capture URL, and the start-up probe pages send (src/page/interception.ts).
    expect(rules[0]?.condition.or?.map((condition) => condition.urlPattern)).toEqual([
      { protocol: 'https', hostname: 'app.example', port: '', pathname: '/login' },
      { protocol: 'https', hostname: 'app.example', port: '', pathname: '/sw-auth-proxy-probe' },
    ]);
  });
});
