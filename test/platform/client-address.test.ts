import {
  awayFromMinuteBoundary,
  codeOf,
  gql,
  gqlFrom,
  startTestPlatform,
  type TestPlatform,
} from '../support/platform.js';

let p: TestPlatform;
let url: string;

beforeAll(async () => {
  // 127.0.0.1 is the proxy in front of the gateway; 127.0.0.2 is a client connecting directly.
  p = await startTestPlatform({
    TRUST_PROXY: '127.0.0.1',
    RATE_LIMIT_REGISTRATIONS_PER_HOUR: '3',
    RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '3',
  });
  url = p.gatewayUrl;
});
afterAll(() => p?.stop());

const REGISTER = 'mutation($i: RegisterInput!) { register(input: $i) { user { id } } }';
let n = 0;
const anAccount = () => ({
  email: `probe-${Date.now()}-${n++}@example.org`,
  password: 'correct horse battery',
  displayName: 'Probe',
});
const via = (forwardedFor: string) => ({ headers: { 'x-forwarded-for': forwardedFor } });

it('registrations are limited per address, so probing which emails are taken is slow', async () => {
  for (let i = 0; i < 3; i++) {
    const r = await gql(url, REGISTER, { i: anAccount() }, via('203.0.113.7'));
    expect(r.errors).toBeUndefined();
  }
  const fourth = await gql(url, REGISTER, { i: anAccount() }, via('203.0.113.7'));
  expect(codeOf(fourth)).toBe('RATE_LIMITED');
  expect(fourth.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
  // The limit is per address: someone else registers as before.
  expect((await gql(url, REGISTER, { i: anAccount() }, via('203.0.113.8'))).errors).toBeUndefined();
});

it('behind a trusted proxy, the client is the last address the proxy added, whatever came before', async () => {
  // The client puts a new address of its own choosing first each time; the proxy appends the real one.
  for (let i = 0; i < 3; i++) {
    const r = await gql(url, REGISTER, { i: anAccount() }, via(`198.51.100.${i}, 203.0.113.9`));
    expect(r.errors).toBeUndefined();
  }
  const r = await gql(url, REGISTER, { i: anAccount() }, via('198.51.100.99, 203.0.113.9'));
  expect(codeOf(r)).toBe('RATE_LIMITED');
});

it('from an address that is not a trusted proxy, X-Forwarded-For is ignored', async () => {
  const BAD = { authorization: 'Bearer not-a-token' };
  await awayFromMinuteBoundary();
  for (let i = 0; i < 3; i++) {
    const r = await gqlFrom(
      '127.0.0.2',
      url,
      '{ __typename }',
      {},
      { ...BAD, 'x-forwarded-for': `192.0.2.${i}` },
    );
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  }
  // Every failure counted against 127.0.0.2 itself, so a fourth is refused whatever it claims.
  const r = await gqlFrom(
    '127.0.0.2',
    url,
    '{ __typename }',
    {},
    { ...BAD, 'x-forwarded-for': '192.0.2.200' },
  );
  expect(codeOf(r)).toBe('RATE_LIMITED');
  // Through the proxy, another client's failures are its own.
  expect(
    codeOf(await gql(url, '{ __typename }', {}, { headers: { ...BAD, 'x-forwarded-for': '192.0.2.201' } })),
  ).toBe('UNAUTHENTICATED');
});
