// A deploy gone wrong: this worker script does not parse.
self.addEventListener('fetch', (event) => {
