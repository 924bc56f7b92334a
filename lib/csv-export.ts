/**
 * CSV downloads written as the client takes them: rows are read a page at a time (keyset pagination
 * by the caller's query) and handed to csv-stringify (RFC 4180, a header row), waiting whenever the
 * socket's buffer is full.
 */
import { once } from 'node:events';
import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Redis } from 'ioredis';
import { Directive, Field, ObjectType } from 'type-graphql';
import type { Viewer } from './auth.js';
import { issueDownload, type DownloadTicket } from './downloads.js';
import { badInput } from './errors.js';
import { isUuid } from './ids.js';

const MAX_DAYS = 366;

/**
 * Checks an export's period (at most 366 days) and its optional filter (an id), and returns a
 * short-lived link to `path?from&to[&filter]` on the service, named `<name>-<from>-<to>.csv`.
 */
export function issueCsvExport(
  redis: Redis,
  prefix: string,
  viewer: Viewer,
  what: { service: DownloadTicket['service']; path: string; name: string },
  from: Date,
  to: Date,
  filter: { field: string; id: string | null },
) {
  if (!(to > from)) throw badInput('to must be after from', 'to');
  if (to.getTime() - from.getTime() > MAX_DAYS * 86_400_000)
    throw badInput('An export covers at most 366 days', 'to');
  if (filter.id != null && !isUuid(filter.id)) throw badInput(`${filter.field} is not an id`, filter.field);
  const query = new URLSearchParams({
    from: from.toISOString(),
    to: to.toISOString(),
    ...(filter.id ? { [filter.field]: filter.id } : {}),
  });
  return issueDownload(redis, prefix, {
    service: what.service,
    path: `${what.path}?${query}`,
    viewer,
    filename: `${what.name}-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv`,
    contentType: 'text/csv; charset=utf-8',
  });
}

export const CSV_PAGE = 1_000;

export async function streamCsv<T>(
  res: http.ServerResponse,
  columns: string[],
  /** The next page after the last row of the previous one (null: the first page), at most CSV_PAGE rows. */
  page: (after: T | null) => Promise<T[]>,
  record: (row: T) => unknown[],
): Promise<void> {
  const csv = stringify({ header: true, columns });
  res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
  const sent = pipeline(csv, res);
  let after: T | null = null;
  for (;;) {
    const rows = await page(after);
    for (const row of rows) if (!csv.write(record(row))) await once(csv, 'drain');
    if (rows.length < CSV_PAGE) break;
    after = rows.at(-1)!;
  }
  csv.end();
  await sent;
}

@ObjectType({
  description: 'A short-lived link to a file, served by the gateway (GET it with no other credentials).',
})
@Directive('@shareable')
export class Download {
  @Field({ description: 'Path on the gateway, e.g. /downloads/…: join it to the API’s origin.' })
  url!: string;

  @Field({ description: 'The link stops working then (5 minutes after it was made).' })
  expiresAt!: Date;

  @Field({ description: 'A file name for it.' })
  filename!: string;
}
