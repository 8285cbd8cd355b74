/// <reference lib="WebWorker" />
/**
 * An app's own service worker — Workbox precaching of the app shell, an offline page for
 * navigations — with sw-auth-proxy composed into it. The worker owns its lifecycle
 * (skipWaiting, clientsClaim, cache clean-up); createAuthProxy only adds its route and
 * control API. In an app, import from 'sw-auth-proxy/sw' instead of the repository path.
 */
import { createAuthProxy } from '../../sw/index.ts';
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

const OFFLINE_PAGE = '/pwa/offline.html';

// First, so API and login requests are ours before any other route can match them. The config
// is code here: no ?config= in the script URL, and registerAuthProxy gets no config.
createAuthProxy({
  api: ['/api/'],
  capture: ['/api/auth/login'],
  refresh: { url: '/api/auth/refresh', format: 'json' },
  logout: { url: '/api/auth/logout' },
  refreshAhead: 30,
});

// The app shell, cache-first. The list (URLs with content hashes) is injected at build time,
// as workbox-build's injectManifest does; see build.mjs.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Any other page in the app: the network, or the offline page when there is none.
registerRoute(
  new NavigationRoute(
    async ({ request }) => {
      try {
        return await fetch(request);
      } catch {
        return (await matchPrecache(OFFLINE_PAGE)) ?? Response.error();
      }
    },
    { allowlist: [/^\/pwa\//] },
  ),
);

// This app wants a new version to take over at once.
self.addEventListener('install', () => void self.skipWaiting());
clientsClaim();
