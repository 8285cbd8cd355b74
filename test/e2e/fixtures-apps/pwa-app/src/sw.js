// @ts-nocheck -- a separate app with its own package.json; the repository's typecheck does not resolve its packages.
import { createAuthProxy } from 'sw-auth-proxy/sw';
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';

// First, so API and login requests are the proxy's before any other route can match them.
createAuthProxy({
  api: ['/api/'],
  capture: ['/api/auth/login'],
  refresh: { url: '/api/auth/refresh' },
  logout: { url: '/api/auth/logout' },
});

// The app shell: vite build injects the list of the app's files, with content hashes.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

self.addEventListener('install', () => self.skipWaiting());
clientsClaim();
