import type http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import type { Redis } from 'ioredis';
import type { Viewer } from '../lib/auth.js';
import { readDownload } from '../lib/downloads.js';
import type { Logger } from '../lib/logger.js';
import { INTERNAL_TOKEN_HEADER } from '../lib/tokens.js';

/**
 * `GET /downloads/<token>`: the file a download ticket names (lib/downloads.ts), fetched from its
 * service as the ticket's viewer and streamed through as it arrives. 404 for an unknown or expired link.
 */
export function serveDownloads(deps: {
  redis: Redis;
  prefix: string;
  /** Subgraph name → its GraphQL URL (the origin is what counts). */
  urls: Map<string, string>;
  internalToken: (viewer: Viewer) => Promise<string>;
  logger: Logger;
}) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const m = /^\/downloads\/([^/]+)$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return false;
    const ticket = await readDownload(deps.redis, deps.prefix, m[1]!);
    const base = ticket && deps.urls.get(ticket.service);
    if (!ticket || !base) {
      res
        .writeHead(404, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ error: 'This download link is unknown or has expired' }));
      return true;
    }
    const upstream = await fetch(new URL(ticket.path, base), {
      headers: { [INTERNAL_TOKEN_HEADER]: await deps.internalToken(ticket.viewer) },
    });
    if (!upstream.ok || !upstream.body) {
      deps.logger.warn({ service: ticket.service, status: upstream.status }, 'download not served');
      const status = upstream.status === 403 || upstream.status === 404 ? upstream.status : 502;
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(
        JSON.stringify({
          error: status === 502 ? 'The file could not be produced' : await upstream.text(),
        }),
      );
      return true;
    }
    res.writeHead(200, {
      'content-type': ticket.contentType,
      'content-disposition': `attachment; filename="${ticket.filename.replace(/[^\w.-]/g, '_')}"`,
      'cache-control': 'no-store',
    });
    await pipeline(Readable.fromWeb(upstream.body as ReadableStream<Uint8Array>), res);
    return true;
  };
}
