import { useEffect } from 'react';

/**
 * Makes the public report pages an installable web app that opens with no connection:
 * links the manifest (only on these pages, so staff pages are not offered for
 * installation) and registers the service worker, then tells it which of the app's
 * files this page has loaded so it keeps them (the form's code is split out of the
 * entry script, so the worker cannot find it in the page alone).
 */
export function useInstallableApp(): void {
  useEffect(() => {
    let link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
    if (!link) {
      link = document.createElement('link');
      link.rel = 'manifest';
      link.href = '/manifest.webmanifest';
      document.head.appendChild(link);
    }
    if (!('serviceWorker' in navigator)) return;
    let cancelled = false;
    navigator.serviceWorker
      .register('/sw.js', { scope: '/' })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        if (cancelled) return;
        const urls = performance
          .getEntriesByType('resource')
          .map((entry) => new URL(entry.name))
          .filter((url) => url.origin === window.location.origin && url.pathname.startsWith('/assets/'))
          .map((url) => url.pathname);
        registration.active?.postMessage({ type: 'keep', urls });
      })
      .catch((error: unknown) => console.warn('The report form will not work offline here:', error));
    return () => {
      cancelled = true;
    };
  }, []);
}
