// @ts-nocheck -- a separate app with its own package.json; the repository's typecheck does not resolve its packages.
import { registerAuthProxy } from 'sw-auth-proxy';

// The second of the two lines (the first is the plugin in vite.config.js): no config here,
// the worker has it baked in. Exposed on window for the test.
window.auth = await registerAuthProxy();
