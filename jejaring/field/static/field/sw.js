// The field page's service worker. The server prepends VERSION (a hash of the shell),
// SHELL (the files to keep, by their served names) and PAGE (the field page's path).
//
// - The page and the reference data: from the network when there is one (so a phone
//   online always has today's forms and lists), else from the cache.
// - Static files: from the cache (their names change with their content).
// - Everything else, and above all the key and the area's people, passes through and
//   is never kept: a person reaches the phone's storage only encrypted, by field.js.
// A new VERSION installs beside the old one and, once active, deletes the old cache.
const CACHE = "jejaring-field-" + VERSION;
const REFERENCE = SHELL[SHELL.length - 1];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("jejaring-field-") && n !== CACHE).map((n) => caches.delete(n))
      ))
      .then(() => self.clients.claim())
  );
});

function networkFirst(request, key) {
  return fetch(request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(key, copy));
      }
      return response;
    })
    .catch(() => caches.open(CACHE).then((cache) => cache.match(key)).then(
      (hit) => hit || new Response("", { status: 503, statusText: "offline" })
    ));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(networkFirst(request, PAGE));
  } else if (url.pathname === REFERENCE) {
    event.respondWith(networkFirst(request, REFERENCE));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match(url.pathname)).then((hit) => hit || fetch(request))
    );
  }
});
