import { type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { aUserWithRoles, loginAdmin, type Session } from '../support/builders.js';
import { eventually } from '../support/chargers.js';
import { codeOf, freePort, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { startRedis } from '../support/redis.js';

let redisPort: number;
let redis: ChildProcess;
let p: TestPlatform;
let url: string;
let operator: Session;
const lines: { service: string; line: string; at: number }[] = [];

beforeAll(async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  p = await startTestPlatform(
    { REDIS_URL: `redis://127.0.0.1:${redisPort}`, LOG_LEVEL: 'info' },
    { output: (service, line) => void lines.push({ service, line, at: Date.now() }) },
  );
  url = p.gatewayUrl;
  operator = await aUserWithRoles(url, await loginAdmin(url), ['OPERATOR']);
});
afterAll(async () => {
  await p?.stop();
  redis?.kill('SIGKILL');
});

const ANONYMOUS = '{ stations(first: 1) { edges { node { id } } } }';
const SIGNED_IN = '{ me { id roles } }';

/** Runs the operation and says how long the answer took. */
async function timed(query: string, token?: string) {
  const started = Date.now();
  const r = await gql(url, query, {}, { token });
  return { r, ms: Date.now() - started };
}

it('with Redis unreachable, GraphQL answers within a second: reads go on, signed-in requests get SERVICE_UNAVAILABLE; each process logs the outage once', async () => {
  const outageFrom = Date.now();
  redis.kill('SIGKILL');
  await once(redis, 'exit');

  // Rate limiting fails open: an anonymous read needs nothing of Redis.
  const anonymous = await timed(ANONYMOUS);
  expect(anonymous.r.errors).toBeUndefined();
  expect(anonymous.r.data!.stations.edges).toEqual([]);
  expect(anonymous.ms).toBeLessThan(1000);

  // The revocation check fails closed: a token that might be revoked is not honoured.
  const signedIn = await timed(SIGNED_IN, operator.token);
  expect(codeOf(signedIn.r)).toBe('SERVICE_UNAVAILABLE');
  expect(signedIn.r.status).toBe(503);
  expect(signedIn.ms).toBeLessThan(1000);
  expect(JSON.stringify(signedIn.r)).not.toMatch(/ECONNREFUSED|ioredis|timed out|stack/i);

  // Several retries of every connection later, still one line per process.
  await new Promise((r) => setTimeout(r, 3000));
  const during = lines.filter((l) => l.at >= outageFrom);
  const outageLines = during.filter((l) => l.line.includes('redis unreachable'));
  const perService = new Map<string, number>();
  for (const l of outageLines) perService.set(l.service, (perService.get(l.service) ?? 0) + 1);
  for (const name of ['gateway', 'user', 'station', 'session', 'ocpp-bridge', 'settlement-worker'])
    expect([name, perService.get(name)]).toEqual([name, 1]);
  expect(JSON.parse(outageLines[0]!.line)).toMatchObject({ level: 40, redis: `127.0.0.1:${redisPort}` });
  expect(during.some((l) => l.line.includes('Unhandled error event'))).toBe(false);

  // Redis back: signed-in requests work again, and the recovery is logged.
  const restoredFrom = Date.now();
  redis = await startRedis(redisPort);
  await eventually(
    () => gql(url, SIGNED_IN, {}, { token: operator.token }),
    (r) => r.data?.me?.id === operator.userId,
  );
  await eventually(
    async () => lines.filter((l) => l.at >= restoredFrom && l.line.includes('redis connection restored')),
    (found) => found.some((l) => l.service === 'gateway'),
  );
});
