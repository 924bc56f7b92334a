import { aUserWithRoles, loginAdmin, type Session } from '../support/builders.js';
import { certificateAuthority } from '../support/certificates.js';
import { connectCharger, registeredCharger } from '../support/chargers.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * OCPP security profiles 2 (TLS, Basic auth) and 3 (TLS, client certificate with CN = identity) in the
 * bridge itself, with certificates this test makes: a platform per profile.
 */
const pki = certificateAuthority();
const server = pki.issue('127.0.0.1', '127.0.0.1');
const otherCa = certificateAuthority('Somebody Else');
afterAll(() => {
  pki.remove();
  otherCa.remove();
});

const TLS = { OCPP_TLS_CERT_FILE: server.certFile, OCPP_TLS_KEY_FILE: server.keyFile };
/** How a connection was refused: the HTTP status of the upgrade, or the TLS error code. */
const refusal = (e: unknown) => (e as { code?: number | string }).code ?? (e as Error).message;

async function platformWith(profile: 2 | 3) {
  const p = await startTestPlatform({
    OCPP_SECURITY_PROFILE: String(profile),
    ...TLS,
    ...(profile === 3 ? { OCPP_TLS_CLIENT_CA_FILE: pki.caFile } : {}),
  });
  const admin = await loginAdmin(p.gatewayUrl);
  const operator = await aUserWithRoles(p.gatewayUrl, admin, ['OPERATOR']);
  return { p, operator };
}

describe('security profile 2: wss:// with the bridge’s certificate and Basic auth', () => {
  let p: TestPlatform;
  let operator: Session;
  beforeAll(async () => ({ p, operator } = await platformWith(2)));
  afterAll(() => p?.stop());

  it('a charger that trusts the CA connects with its password; ws://, a wrong password and an untrusted certificate do not', async () => {
    const c = await registeredCharger(p.gatewayUrl, operator);
    const port = p.config.ports.ocpp;
    const cp = await connectCharger(port, c.identity, c.password, 'ocpp1.6', { tls: { ca: pki.ca } });
    expect(
      await cp.call('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'TLS' }),
    ).toMatchObject({
      status: 'Accepted',
    });
    await cp.close();

    await expect(connectCharger(port, c.identity, c.password, 'ocpp1.6')).rejects.toBeDefined();
    const wrong = await connectCharger(port, c.identity, 'wrong-password-000000000000', 'ocpp1.6', {
      tls: { ca: pki.ca },
    }).catch(refusal);
    expect(wrong).toBe(401);
    // A charger configured with another CA does not trust the bridge: the TLS handshake fails.
    const untrusted = await connectCharger(port, c.identity, c.password, 'ocpp2.0.1', {
      tls: { ca: otherCa.ca },
    }).catch(refusal);
    expect(untrusted).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describe('security profile 3: a client certificate whose CN is the charger’s identity', () => {
  let p: TestPlatform;
  let operator: Session;
  beforeAll(async () => ({ p, operator } = await platformWith(3)));
  afterAll(() => p?.stop());

  it('the charger’s own certificate connects without a password; another charger’s, another CA’s or none are refused', async () => {
    const c = await registeredCharger(p.gatewayUrl, operator);
    const other = await registeredCharger(p.gatewayUrl, operator);
    const port = p.config.ports.ocpp;
    const own = pki.issue(c.identity);
    const cs = await connectCharger(port, c.identity, undefined, 'ocpp2.0.1', {
      tls: { ca: pki.ca, cert: own.cert, key: own.key },
    });
    expect(await cs.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) });
    await cs.close();

    // Another charger's certificate (a valid one, from the same CA) does not open this identity.
    const theirs = pki.issue(other.identity);
    expect(
      await connectCharger(port, c.identity, c.password, 'ocpp2.0.1', {
        tls: { ca: pki.ca, cert: theirs.cert, key: theirs.key },
      }).catch(refusal),
    ).toBe(401);
    // A certificate for this identity from a CA the bridge does not trust.
    const forged = otherCa.issue(c.identity);
    expect(
      await connectCharger(port, c.identity, undefined, 'ocpp2.0.1', {
        tls: { ca: pki.ca, cert: forged.cert, key: forged.key },
      }).catch(refusal),
    ).toBe(401);
    // No certificate at all, even with the right password: profile 3 requires one.
    expect(
      await connectCharger(port, c.identity, c.password, 'ocpp1.6', { tls: { ca: pki.ca } }).catch(refusal),
    ).toBe(401);
    // An unregistered identity with a valid certificate for it.
    const stranger = pki.issue('NO-SUCH-CP');
    expect(
      await connectCharger(port, 'NO-SUCH-CP', undefined, 'ocpp1.6', {
        tls: { ca: pki.ca, cert: stranger.cert, key: stranger.key },
      }).catch(refusal),
    ).toBe(401);
  });
});
