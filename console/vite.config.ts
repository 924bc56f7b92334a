import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web console, built ahead of time into dist/console (served by the gateway at `/`, no CDN at run
 * time). React's JSX is compiled by Vite's own transformer (automatic runtime).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // Scripts and styles as files of their own: the gateway's Content-Security-Policy allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
