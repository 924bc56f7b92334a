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
    rollupOptions: {
      // React libraries mark modules "use client" (a server-components hint, meaningless in a bundle).
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      // The console, and the GraphQL IDE the gateway shows on a browser's GET /graphql.
      input: {
        console: fileURLToPath(new URL('index.html', import.meta.url)),
        graphiql: fileURLToPath(new URL('graphiql.html', import.meta.url)),
      },
    },
    // GraphiQL brings Monaco: a large bundle, loaded by the IDE page only.
    chunkSizeWarningLimit: 6000,
  },
  worker: { format: 'es' },
});
