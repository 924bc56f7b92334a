import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Meter device keys. A key (`glm_` + 32 random bytes, base64url) is shown once, when the meter is
 * registered or its key rotated; the database keeps its SHA-256 only.
 * - GraphQL: the meter sends the key itself (header `x-meter-key`); its hash must match.
 * - MQTT: the meter signs each message body with HMAC-SHA256 under the key's SHA-256 (hex-encoded
 *   as the HMAC key's bytes), so the broker and anyone reading the topic never see a usable key.
 *   The subgraph verifies with the stored hash. Read access to the database therefore allows forging
 *   MQTT readings (as with any shared-secret MAC) but not GraphQL ones.
 */
export const DEVICE_KEY_PREFIX = 'glm_';

export const newDeviceKey = () => `${DEVICE_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;

export const hashDeviceKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** The signature a meter puts on an MQTT message body (hex), under its key's hash. */
export const signReadings = (keyHash: string, body: Buffer | string) =>
  createHmac('sha256', keyHash).update(body).digest('hex');

/** Constant-time check of a message signature. */
export function verifySignature(keyHash: string, body: Buffer, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signReadings(keyHash, body), 'hex'), Buffer.from(signature, 'hex'));
}
