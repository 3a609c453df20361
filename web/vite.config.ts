import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * govuk-frontend still carries Internet Explorer hacks (`@media screen\0 …`) that
 * the CSS minifier cannot parse; modern browsers ignore those rules, so drop them.
 */
function govukIeHacks(): Plugin {
  return {
    name: 'peel-govuk-frontend-ie-hacks',
    transform(code, id) {
      if (!/govuk\.scss(\?|$)/.test(id)) return null;
      // After Sass: `\0` has become a NUL or replacement character inside the media query.
      // eslint-disable-next-line no-control-regex
      const cleaned = code.replace(/@media[^{]*(?:\\0|\u0000|\uFFFD)[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}/g, '');
      return { code: cleaned, map: null };
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), govukIeHacks()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Never inline assets as data: URLs: the CSP's font-src allows only 'self'.
    assetsInlineLimit: 0,
    sourcemap: true,
    // MapLibre alone is about 1 MB; it loads only with the crime map page, in a chunk of its own.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
