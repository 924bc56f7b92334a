/**
 * CSV downloads written as the client takes them: rows are read a page at a time (keyset pagination
 * by the caller's query) and handed to csv-stringify (RFC 4180, a header row), waiting whenever the
 * socket's buffer is full.
 */
import { once } from 'node:events';
import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { Directive, Field, ObjectType } from 'type-graphql';

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

  @Field()
  filename!: string;
}
