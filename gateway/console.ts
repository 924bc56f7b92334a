/**
 * The web console and the GraphQL IDE, built ahead of time into dist/console (`npm run build`:
 * console/, Vite) and served here as static files under a Content-Security-Policy of 'self': nothing
 * is fetched from elsewhere at run time.
 *
 * - `GET /` (and `/index.html`): the console; `GET /assets/<file>`: its scripts and styles.
 * - `GET /graphql` from a browser (it accepts text/html): the bundled GraphiQL, when `ide` is on
 *   (GRAPHQL_IDE; off in production by default). Everything else on /graphql is the API.
 */
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../lib/logger.js';

/** The repository root, whether this module runs compiled (dist/) or from source. */
const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/dist\/$/, '/');
export const CONSOLE_DIR = `${ROOT}dist/console/`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * Only this origin: scripts, styles, images, workers and the API (HTTP and graphql-ws on the same
 * host, which 'self' covers); no inline script or style, no framing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The IDE's page (development): GraphiQL's editor (Monaco) sets inline styles and embeds its icon
 * fonts as data: URLs, so those two are allowed there; scripts and connections stay 'self'.
 */
export const IDE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "style-src 'self'",
  "style-src 'self' 'unsafe-inline'",
).replace("font-src 'self'", "font-src 'self' data:");

const headers = (csp: string) => ({
  'content-security-policy': csp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});

const ASSET = /^\/assets\/([\w.-]+)$/;

export function serveConsole(opts: { dir?: string; ide: boolean; logger: Logger }) {
  const dir = opts.dir ?? CONSOLE_DIR;
  let warned = false;
  const send = async (
    res: http.ServerResponse,
    file: string,
    cache: string,
    csp = CONTENT_SECURITY_POLICY,
  ) => {
    const body = await readFile(`${dir}${file}`).catch(() => null);
    if (!body) {
      if (!warned && file.endsWith('.html')) {
        warned = true;
        opts.logger.warn({ dir }, 'the console is not built (npm run build); / answers 404');
      }
      res.writeHead(404, { 'content-type': 'text/plain', ...headers(csp) }).end('Not found');
      return true;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': cache,
      ...headers(csp),
    });
    res.end(body);
    return true;
  };
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname === '/' || pathname === '/index.html') return send(res, 'index.html', 'no-cache');
    const asset = ASSET.exec(pathname);
    // Hashed names: a file never changes under its name.
    if (asset) return send(res, `assets/${asset[1]}`, 'public, max-age=31536000, immutable');
    if (pathname === '/graphql' && opts.ide && (req.headers.accept ?? '').includes('text/html'))
      return send(res, 'graphiql.html', 'no-cache', IDE_CONTENT_SECURITY_POLICY);
    return false;
  };
}
