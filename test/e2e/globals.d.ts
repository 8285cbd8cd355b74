import type * as SwAuthProxy from '../../src/index.js';

declare global {
  interface Window {
    swAuthProxy: typeof SwAuthProxy;
    auth: SwAuthProxy.AuthClient;
  }
}
