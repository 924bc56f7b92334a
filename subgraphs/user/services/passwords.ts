import { hash, verify, Algorithm } from '@node-rs/argon2';

/** Argon2id with OWASP's recommended minimum cost (19 MiB, 2 passes): slow and salted by design. */
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string) => hash(password, OPTIONS);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Verifying against this keeps "no such account" as slow as "wrong password". */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword('gridledger-timing-equaliser'));
