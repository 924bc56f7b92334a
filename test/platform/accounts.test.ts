import { aUserWithRoles, login, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { linkToken, startMailbox } from '../support/mailbox.js';
import { codeOf, gql, gqlFrom, startTestPlatform, type TestPlatform } from '../support/platform.js';

let p: TestPlatform;
let url: string;
let mailbox: Awaited<ReturnType<typeof startMailbox>>;
let admin: Session;

beforeAll(async () => {
  mailbox = await startMailbox();
  p = await startTestPlatform({
    SMTP_URL: mailbox.url,
    APP_URL: 'https://console.gridledger.test',
    VERIFIED_EMAIL_REQUIRED_FOR: 'linkWallet,createApiKey',
  });
  url = p.gatewayUrl;
  admin = await loginAdmin(url);
});
afterAll(async () => {
  await p?.stop();
  await mailbox?.close();
});

// Anonymous (the link's token is the proof): the answer shows no email, which only its owner sees.
const VERIFY = 'mutation($t: String!) { verifyEmail(token: $t) { id email emailVerifiedAt } }';
const ME = '{ me { id email emailVerifiedAt } }';
const PASSWORD = 'correct horse battery';
const freshEmail = (tag: string) =>
  `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.org`;

it('register mails a verification link; following it verifies the email, once', async () => {
  const email = freshEmail('verify');
  const u = await registerUser(url, { email });
  expect((await gql(url, ME, {}, { token: u.token })).data!.me.emailVerifiedAt).toBeNull();
  const mail = await mailbox.next(email);
  expect(mail.subject).toMatch(/Verify/);
  expect(mail.text).toContain('https://console.gridledger.test/verify-email?token=');
  const token = linkToken(mail);
  const r = await gql(url, VERIFY, { t: token });
  expect(r.errors).toBeUndefined();
  expect(r.data!.verifyEmail).toMatchObject({
    id: u.userId,
    email: null,
    emailVerifiedAt: expect.any(String),
  });
  expect((await gql(url, ME, {}, { token: u.token })).data!.me).toMatchObject({
    email,
    emailVerifiedAt: expect.any(String),
  });
  expect(codeOf(await gql(url, VERIFY, { t: token }))).toBe('BAD_USER_INPUT');
  expect(codeOf(await gql(url, VERIFY, { t: 'made-up' }))).toBe('BAD_USER_INPUT');
  expect((await login(url, email, PASSWORD)).userId).toBe(u.userId);
});

it('actions configured to need a verified email are refused until it is verified', async () => {
  const operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  const me = (await gql(url, ME, {}, { token: operator.token })).data!.me;
  const CREATE = 'mutation { createApiKey(name: "k", scopes: [STATIONS_READ]) { apiKey } }';
  const refused = await gql(url, CREATE, {}, { token: operator.token });
  expect(codeOf(refused)).toBe('FORBIDDEN');
  expect(refused.errors![0]!.extensions!.reason).toBe('EMAIL_NOT_VERIFIED');
  await gql(url, VERIFY, { t: linkToken(await mailbox.next(me.email)) });
  expect((await gql(url, CREATE, {}, { token: operator.token })).errors).toBeUndefined();
});

it('password reset: the new password works, the old one and every old login do not', async () => {
  const email = freshEmail('reset');
  const u = await registerUser(url, { email });
  await mailbox.next(email); // the verification mail
  const asked = await gql(url, 'mutation($e: String!) { requestPasswordReset(email: $e) }', { e: email });
  expect(asked.data!.requestPasswordReset).toBe(true);
  const mail = await mailbox.next(email);
  expect(mail.subject).toMatch(/Reset/);
  const token = linkToken(mail);
  const RESET = 'mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }';
  expect(codeOf(await gql(url, RESET, { t: token, p: 'short' }))).toBe('BAD_USER_INPUT');
  expect((await gql(url, RESET, { t: token, p: 'a brand new passphrase' })).data!.resetPassword).toBe(true);
  expect(codeOf(await gql(url, RESET, { t: token, p: 'yet another passphrase' }))).toBe('BAD_USER_INPUT');

  const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { user { id } } }';
  expect(codeOf(await gql(url, LOGIN, { e: email, p: PASSWORD }))).toBe('UNAUTHENTICATED');
  expect((await gql(url, LOGIN, { e: email, p: 'a brand new passphrase' })).data!.login.user.id).toBe(
    u.userId,
  );
  // The login from before the reset is over: access and refresh token.
  expect(codeOf(await gql(url, ME, {}, { token: u.token }))).toBe('UNAUTHENTICATED');
  const refresh = 'mutation($t: String!) { refreshToken(token: $t) { accessToken } }';
  expect(codeOf(await gql(url, refresh, { t: u.refreshToken }))).toBe('UNAUTHENTICATED');
});

it('a reset for an unknown email answers the same and mails nobody', async () => {
  const email = freshEmail('nobody');
  const asked = await gql(url, 'mutation($e: String!) { requestPasswordReset(email: $e) }', { e: email });
  expect(asked).toMatchObject({ data: { requestPasswordReset: true } });
  expect(asked.errors).toBeUndefined();
  expect(mailbox.count(email)).toBe(0);
});

it('five wrong passwords from one address do not stop the owner from another, who is told by mail', async () => {
  const email = freshEmail('guessed');
  const u = await registerUser(url, { email });
  await mailbox.next(email); // verification
  const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { user { id } } }';
  // Five free failures, then one try per growing wait: the sixth runs, the seventh must wait.
  for (let i = 0; i < 6; i++) {
    const r = await gqlFrom('127.0.0.2', url, LOGIN, { e: email, p: `wrong guess ${i}` });
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  }
  expect(codeOf(await gqlFrom('127.0.0.2', url, LOGIN, { e: email, p: PASSWORD }))).toBe('RATE_LIMITED');
  expect((await gql(url, LOGIN, { e: email, p: PASSWORD })).data!.login.user.id).toBe(u.userId);
  const notice = await mailbox.next(email);
  expect(notice.subject).toMatch(/Failed sign-ins/);
  expect(notice.text).toContain('127.0.0.2');
});

it('changing the password ends the other logins and keeps this one (with new tokens)', async () => {
  const email = freshEmail('change');
  const first = await registerUser(url, { email });
  const second = await login(url, email, PASSWORD);
  const CHANGE =
    'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken user { id } } }';
  expect(
    codeOf(await gql(url, CHANGE, { c: 'not it at all', n: 'the next passphrase' }, { token: first.token })),
  ).toBe('UNAUTHENTICATED');
  const changed = await gql(url, CHANGE, { c: PASSWORD, n: 'the next passphrase' }, { token: first.token });
  expect(changed.errors).toBeUndefined();
  expect((await gql(url, ME, {}, { token: changed.data!.changePassword.accessToken })).data!.me.id).toBe(
    first.userId,
  );
  expect(codeOf(await gql(url, ME, {}, { token: second.token }))).toBe('UNAUTHENTICATED');
  const refresh = 'mutation($t: String!) { refreshToken(token: $t) { accessToken } }';
  expect(codeOf(await gql(url, refresh, { t: second.refreshToken }))).toBe('UNAUTHENTICATED');
  expect((await login(url, email, 'the next passphrase')).userId).toBe(first.userId);
});

it('an email change takes effect when the link mailed to the new address is followed', async () => {
  const email = freshEmail('old');
  const next = freshEmail('new');
  const u = await registerUser(url, { email });
  await mailbox.next(email); // verification of the old address
  const ASK = 'mutation($e: String!, $p: String!) { requestEmailChange(newEmail: $e, password: $p) }';
  expect(codeOf(await gql(url, ASK, { e: next, p: 'wrong password!' }, { token: u.token }))).toBe(
    'UNAUTHENTICATED',
  );
  expect((await gql(url, ASK, { e: next, p: PASSWORD }, { token: u.token })).data!.requestEmailChange).toBe(
    true,
  );
  // Nothing changes until the new address confirms.
  expect((await gql(url, ME, {}, { token: u.token })).data!.me.email).toBe(email);
  const confirmed = await gql(url, VERIFY, { t: linkToken(await mailbox.next(next)) });
  expect(confirmed.data!.verifyEmail).toMatchObject({ id: u.userId, emailVerifiedAt: expect.any(String) });
  expect((await mailbox.next(email)).subject).toMatch(/email was changed/);
  expect((await login(url, next, PASSWORD)).userId).toBe(u.userId);
  const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { user { id } } }';
  expect(codeOf(await gql(url, LOGIN, { e: email, p: PASSWORD }))).toBe('UNAUTHENTICATED');
});
