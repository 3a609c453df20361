import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * govuk-frontend's compiled CSS refers to its fonts and images as `/assets/…`,
 * a path only valid if they are copied there by hand. Rewriting the references
 * to be relative to the CSS file lets Vite bundle them with hashed names, so the
 * build serves every asset from our own origin (the server's CSP allows no other).
 *
 * It also still carries Internet Explorer hacks (`@media screen\0 …`) that the
 * CSS minifier cannot parse; modern browsers ignore those rules, so drop them.
 */
function govukAssets(): Plugin {
  return {
    name: 'peel-govuk-frontend-assets',
    enforce: 'pre',
    transform(code, id) {
      if (!/govuk-frontend[\\/].*\.css(\?|$)/.test(id)) return null;
      const rewritten = code
        .replaceAll('url(/assets/', 'url(./assets/')
        .replace(/@media[^{]*\\0[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}/g, '');
      return { code: rewritten, map: null };
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), govukAssets()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Never inline assets as data: URLs: the CSP's font-src allows only 'self'.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
