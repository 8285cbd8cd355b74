// @ts-nocheck -- a separate app with its own package.json; the repository's typecheck does not resolve its packages.
import { registerAuthProxy } from 'sw-auth-proxy';

// No config: the worker has it in code. vite build emits the worker as a classic script at
// /sw.js; vite dev serves src/sw.js as an ES module at /dev-sw.js?dev-sw.
const auth = await registerAuthProxy(import.meta.env.DEV ? { worker: '/dev-sw.js?dev-sw', type: 'module' } : { worker: '/sw.js' });

window.auth = auth; // for the test
