// A worker that fails the way a broken proxy would: its respondWith rejects for /boom.
// Only the driver self-test (page-errors.spec.ts) registers it.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname === '/boom') event.respondWith(Promise.reject(new TypeError('boom from the worker')));
});
