import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, renderApiReference } from '../../lib/api-reference.js';
import { CLIENT_CODES, ErrorCode } from '../../lib/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

describe('API reference (docs/api.md)', () => {
  it('describes every public type, field, argument and enum value, and is what the schema renders', () => {
    const { content, missing } = renderApiReference(read('gateway/api-schema.graphql'));
    expect(missing).toEqual([]);
    expect(content).toBe(read('docs/api.md'));
  });

  it('lists what has no description: a type, a field, an argument and an enum value', () => {
    const { missing, content } = renderApiReference(`
      """Root."""
      type Query {
        """Described."""
        station(id: ID!, """Described too.""" near: String): Station
      }
      type Station { id: ID! """Its name.""" name: String kind: Kind }
      """Kinds."""
      enum Kind { """Fast.""" FAST SLOW }
    `);
    expect(missing.sort()).toEqual([
      'Kind.SLOW',
      'Query.station(id)',
      'Station',
      'Station.id',
      'Station.kind',
    ]);
    expect(content).toContain('| `near` | String |  | Described too. |');
    expect(content).toContain('| `FAST` | Fast. |');
  });

  it('documents exactly the error codes clients can be sent', () => {
    // Codes the platform's errors carry, codes GraphQL servers produce for client mistakes (passed
    // through by formatError), and the HTTP layer's PAYLOAD_TOO_LARGE (lib/http-server.ts).
    const sent = new Set([...Object.values(ErrorCode), ...CLIENT_CODES, 'PAYLOAD_TOO_LARGE']);
    expect(ERROR_CODES.map(([code]) => code).sort()).toEqual([...sent].sort());
    for (const [, meaning] of ERROR_CODES) expect(meaning.length).toBeGreaterThan(10);
  });
});
