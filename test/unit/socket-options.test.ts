import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/page/socket/options.js';

const TICKET = { url: 'https://app.example/api/ws-ticket' };

describe('resolveOptions under DPoP', () => {
  it('defaults to the ticket strategy, which is the only one that works', () => {
    expect(resolveOptions({ ticket: TICKET }, true).auth).toBe('ticket');
    expect(resolveOptions({}, false).auth).toBe('protocol');
  });

  it.each(['protocol', 'message', 'query'] as const)('refuses %s: it would send the bound token without a proof', (auth) => {
    expect(() => resolveOptions({ auth, ticket: TICKET }, true)).toThrow(/cannot carry a DPoP proof/);
    expect(resolveOptions({ auth }, false).auth).toBe(auth);
  });

  it('needs ticket.url', () => {
    expect(() => resolveOptions({}, true)).toThrow(/"ticket" needs ticket\.url/);
  });
});
