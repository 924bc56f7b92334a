/**
 * Short-lived download links (CSV exports, invoice PDFs). A subgraph resolver issues a ticket — which
 * service path to fetch, for whom, under what file name — kept in Redis for a few minutes under a
 * random token; the link is `/downloads/<token>` on the gateway. The gateway looks the ticket up,
 * fetches the path from the service with the ticket's viewer's internal token, and streams the answer
 * through: nothing is buffered, and the service checks the viewer as for any request. Whoever holds the
 * link may fetch it until it expires (a bearer link, as such links are); it names no secret.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Redis } from 'ioredis';
import type { Viewer } from './auth.js';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface DownloadTicket {
  /** The subgraph that serves it (the gateway's name for it). */
  service: 'session' | 'energy';
  /** Its path there, with the query string. */
  path: string;
  viewer: Viewer;
  filename: string;
  contentType: string;
}

/** DOWNLOAD_TTL: how long a link works. */
export const DOWNLOAD_TTL_SECONDS = 300;

const key = (prefix: string, token: string) => `${prefix}:download:${token}`;

export async function issueDownload(
  redis: Redis,
  prefix: string,
  ticket: DownloadTicket,
  ttlSeconds = DOWNLOAD_TTL_SECONDS,
): Promise<{ url: string; expiresAt: Date; filename: string }> {
  const token = randomBytes(24).toString('base64url');
  await redis.set(key(prefix, token), JSON.stringify(ticket), 'EX', ttlSeconds);
  return {
    url: `/downloads/${token}`,
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    filename: ticket.filename,
  };
}

export async function readDownload(
  redis: Redis,
  prefix: string,
  token: string,
): Promise<DownloadTicket | null> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return null;
  const raw = await redis.get(key(prefix, token));
  return raw ? (JSON.parse(raw) as DownloadTicket) : null;
}

/** A service-side route a download ticket points at: answers with the file, or false when not its path. */
export type DownloadRoute = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ctx: { viewer: Viewer; em: EntityManager; url: URL },
) => Promise<boolean>;

/** The prefix of service paths that serve downloads (never reached but through the gateway). */
export const DOWNLOAD_PATH_PREFIX = '/internal/downloads/';
