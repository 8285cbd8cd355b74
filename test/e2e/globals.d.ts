import type * as SwAuthProxy from '../../src/page/index.js';

declare global {
  interface Window {
    swAuthProxy: typeof SwAuthProxy;
    auth: SwAuthProxy.AuthClient;
  }
}
