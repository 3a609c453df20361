/* global self, caches, Response */
/**
 * The report form's service worker: it keeps the web app's files so that the form opens
 * with no connection (a phone on a patchy signal, or the installed app). It never keeps
 * or answers API requests: a report waiting to be sent is kept by the page itself (in
 * IndexedDB) and sent with an Idempotency-Key when the phone is back online.
 */
const CACHE = 'peel-app-v1';
/** The page every app address is served from (a single-page app). */
const SHELL = '/report';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const shell = await fetch(SHELL, { cache: 'no-cache' });
      if (shell.ok) {
        await cache.put(SHELL, shell.clone());
        // The entry script and styles the shell names; code split out of them is kept when the page reports it.
        const html = await shell.text();
        const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
        await Promise.all(assets.map((url) => cache.add(url).catch(() => undefined)));
      }
      await cache.addAll(['/manifest.webmanifest', '/favicon.svg', '/report-icon.svg']).catch(() => undefined);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

/** The page lists the files it has loaded (its lazily loaded code among them), to be kept for offline use. */
self.addEventListener('message', (event) => {
  const urls = event.data && event.data.type === 'keep' && Array.isArray(event.data.urls) ? event.data.urls : [];
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      for (const url of urls) {
        if (typeof url !== 'string' || !url.startsWith('/assets/')) continue;
        if (!(await cache.match(url))) await cache.add(url).catch(() => undefined);
      }
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;

  if (request.mode === 'navigate') {
    // Pages: the network first (always the newest app, kept as the shell: every page is the
    // same single-page app), the kept shell when offline.
    event.respondWith(
      fetch(request)
        .then(async (response) => {
          if (response.ok && (response.headers.get('Content-Type') ?? '').startsWith('text/html')) {
            const cache = await caches.open(CACHE);
            await cache.put(SHELL, response.clone());
          }
          return response;
        })
        .catch(async () => (await caches.match(SHELL)) ?? new Response('You are offline.', { status: 503, headers: { 'Content-Type': 'text/plain' } })),
    );
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    // Built files never change under the same name: kept copy first, else fetch and keep.
    event.respondWith(
      (async () => {
        const kept = await caches.match(request);
        if (kept) return kept;
        const response = await fetch(request);
        if (response.ok) {
          const cache = await caches.open(CACHE);
          await cache.put(request, response.clone());
        }
        return response;
      })(),
    );
    return;
  }
  // Anything else (icons, the manifest): the network, or the kept copy when offline.
  event.respondWith(fetch(request).catch(async () => (await caches.match(request)) ?? Response.error()));
});
