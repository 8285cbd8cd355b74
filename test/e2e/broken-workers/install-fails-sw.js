// A worker whose install step fails (a precache of a missing file, say).
self.addEventListener('install', (event) => event.waitUntil(Promise.reject(new Error('precache failed'))));
