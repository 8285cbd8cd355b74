// @ts-nocheck -- a separate app with its own package.json; the repository's typecheck does not resolve its packages.
import { defineConfig } from 'vite';
import { swAuthProxy } from 'sw-auth-proxy/vite';

export default defineConfig({
  plugins: [
    swAuthProxy({
      config: {
        api: ['/api/'],
        capture: ['/api/auth/login'],
        refresh: { url: '/api/auth/refresh', format: 'json' },
        logout: { url: '/api/auth/logout' },
        refreshAhead: 30,
      },
    }),
  ],
});
