import {
  developmentSeed,
  privateKeyFromSeed,
  privateKeyVariable,
  publicKeyFromText,
  publicKeyText,
  SIGNERS,
  SigningKeys,
  type SignerName,
} from './signing.js';

/**
 * The signing keys: SIGNING_PUBLIC_KEYS (`signer=key,…`) and SIGNING_KEY_<SIGNER>. Outside
 * production, what is not set is the signer's development key. Production needs every public key,
 * refuses a development key in either place, and refuses a private key that does not match its
 * signer's public key.
 */
export function signingKeysFrom(
  source: Record<string, string | undefined>,
  production: boolean,
  fail: (message: string) => Error,
): SigningKeys {
  const listed = new Map<string, string>();
  for (const entry of (source.SIGNING_PUBLIC_KEYS ?? '').split(',').filter((x) => x.trim())) {
    const [name, key] = entry.split('=').map((x) => x.trim());
    if (!name || !key || !SIGNERS.includes(name as SignerName))
      throw fail(`SIGNING_PUBLIC_KEYS: "${entry}" is not signer=key (signers: ${SIGNERS.join(', ')})`);
    try {
      publicKeyFromText(key);
    } catch (err) {
      throw fail(`SIGNING_PUBLIC_KEYS: ${name}: ${(err as Error).message}`);
    }
    listed.set(name, key);
  }
  const publicKeys = {} as Record<SignerName, string>;
  const seeds: Partial<Record<SignerName, string>> = {};
  for (const signer of SIGNERS) {
    const variable = privateKeyVariable(signer);
    const development = publicKeyText(privateKeyFromSeed(developmentSeed(signer)));
    const seed = source[variable];
    const publicKey = listed.get(signer) ?? (production ? undefined : development);
    if (!publicKey) throw fail(`SIGNING_PUBLIC_KEYS must name ${signer}'s public key in production`);
    if (production && (publicKey === development || seed === developmentSeed(signer)))
      throw fail(`${signer}'s signing key is the published development key; production needs its own`);
    if (seed && publicKeyText(privateKeyFromSeed(seed)) !== publicKey)
      throw fail(`${variable} does not match ${signer}'s key in SIGNING_PUBLIC_KEYS`);
    publicKeys[signer] = publicKey;
    const ownSeed = seed ?? (production ? undefined : developmentSeed(signer));
    if (ownSeed) seeds[signer] = ownSeed;
  }
  return new SigningKeys(publicKeys, seeds);
}
