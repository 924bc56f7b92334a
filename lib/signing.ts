import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/**
 * Every GridLedger process that signs tokens, each with an Ed25519 key of its own:
 * - `user-subgraph` signs users' access tokens (the gateway verifies them);
 * - `gateway` signs the internal caller tokens it forwards to the subgraphs;
 * - every process signs its own service tokens when it calls a subgraph directly.
 * Verifiers hold public keys only, and a token is accepted only from the signer allowed to issue it
 * (lib/tokens.ts), so a compromised subgraph or bridge can impersonate itself and nobody else.
 */
export const SIGNERS = [
  'gateway',
  'user-subgraph',
  'station-subgraph',
  'session-subgraph',
  'energy-subgraph',
  'ocpp-bridge',
  'settlement-worker',
] as const;
export type SignerName = (typeof SIGNERS)[number];

/** The environment variable holding a signer's private key (`SIGNING_KEY_USER_SUBGRAPH`, …). */
export const privateKeyVariable = (signer: SignerName) =>
  `SIGNING_KEY_${signer.toUpperCase().replaceAll('-', '_')}`;

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Builds the private key whose seed is `seed` (32 bytes, base64url in configuration). */
export function privateKeyFromSeed(seed: string): KeyObject {
  const raw = Buffer.from(seed, 'base64url');
  if (raw.length !== 32) throw new Error('an Ed25519 private key is 32 bytes (43 base64url characters)');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

/** The public key of a private key, as configuration holds it: the 32 raw bytes, base64url. */
export const publicKeyText = (privateKey: KeyObject) =>
  createPublicKey(privateKey).export({ format: 'jwk' }).x as string;

export function publicKeyFromText(text: string): KeyObject {
  if (Buffer.from(text, 'base64url').length !== 32)
    throw new Error('an Ed25519 public key is 32 bytes (43 base64url characters)');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: text }, format: 'jwk' });
}

/**
 * The development key of a signer, derived from its name. Everyone can derive it, so it is accepted
 * only outside production (lib/config.ts refuses it there, as private and as public key).
 */
export const developmentSeed = (signer: SignerName) =>
  createHash('sha256').update(`gridledger-development-signing-key:${signer}`).digest('base64url');

/** A new random key: its seed (for the signer's private variable) and its public key (for everyone). */
export function generateSigningKey(): { seed: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'jwk' }).d as string;
  return { seed, publicKey: publicKeyText(privateKey) };
}

/**
 * The keys one configuration knows: every signer's public key, and the private keys this environment
 * holds (in production, each process is given its own only).
 */
export class SigningKeys {
  private readonly publicKeys: ReadonlyMap<string, KeyObject>;

  constructor(
    publicKeys: Record<SignerName, string>,
    private readonly privateSeeds: Partial<Record<SignerName, string>>,
  ) {
    this.publicKeys = new Map(SIGNERS.map((s) => [s, publicKeyFromText(publicKeys[s])]));
  }

  /** The verifying key of `signer`, or undefined for a name that is not a signer. */
  publicKey(signer: string): KeyObject | undefined {
    return this.publicKeys.get(signer);
  }

  /** This process's own private key; a clear error when the environment does not hold it. */
  privateKey(signer: SignerName): KeyObject {
    const seed = this.privateSeeds[signer];
    if (!seed) throw new Error(`${privateKeyVariable(signer)} is not set: ${signer} cannot sign tokens`);
    return privateKeyFromSeed(seed);
  }
}

/** A fresh key for every signer, as environment variables: each SIGNING_KEY_<SIGNER> and SIGNING_PUBLIC_KEYS. */
export function generateSigningEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const publicKeys: string[] = [];
  for (const signer of SIGNERS) {
    const { seed, publicKey } = generateSigningKey();
    env[privateKeyVariable(signer)] = seed;
    publicKeys.push(`${signer}=${publicKey}`);
  }
  env.SIGNING_PUBLIC_KEYS = publicKeys.join(',');
  return env;
}
