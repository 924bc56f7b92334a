import { isUuid, isUniqueViolation } from '../../../lib/ids.js';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { getAddress, verifyMessage } from 'ethers';
import { badInput, conflict } from '../../../lib/errors.js';
import { User } from '../entities/user.entity.js';
import { Wallet } from '../entities/wallet.entity.js';

export const CHALLENGE_TTL_SECONDS = 600;

export interface WalletLinkSettings {
  /** The domain named in the EIP-4361 message; wallets show it to the signer. */
  domain: string;
  chainId: number;
  redis: Redis;
  redisPrefix: string;
}

function checksummed(address: string): string {
  try {
    return getAddress(address);
  } catch {
    throw badInput('address is not a valid Ethereum address', 'address');
  }
}

/**
 * Wallet linking by signature: the account asks for a challenge (an EIP-4361 "Sign-In with Ethereum"
 * message with a nonce and an expiry, kept in Redis for one use), the wallet signs it, and the
 * signature must recover the same address.
 */
export class WalletService {
  constructor(
    private readonly em: EntityManager,
    private readonly settings: WalletLinkSettings,
  ) {}

  private key(userId: string, address: string) {
    return `${this.settings.redisPrefix}:wallet-challenge:${userId}:${address}`;
  }

  async challenge(userId: string, addressInput: string): Promise<{ message: string; expiresAt: Date }> {
    const address = checksummed(addressInput);
    const issuedAt = new Date();
    const expiresAt = new Date(issuedAt.getTime() + CHALLENGE_TTL_SECONDS * 1000);
    const { domain, chainId } = this.settings;
    const message = [
      `${domain} wants you to sign in with your Ethereum account:`,
      address,
      '',
      `Link this wallet to GridLedger account ${userId} to pay for charging and trade energy.`,
      '',
      `URI: https://${domain}`,
      'Version: 1',
      `Chain ID: ${chainId}`,
      `Nonce: ${randomBytes(12).toString('hex')}`,
      `Issued At: ${issuedAt.toISOString()}`,
      `Expiration Time: ${expiresAt.toISOString()}`,
    ].join('\n');
    await this.settings.redis.set(this.key(userId, address), message, 'EX', CHALLENGE_TTL_SECONDS);
    return { message, expiresAt };
  }

  async link(userId: string, addressInput: string, signature: string): Promise<Wallet> {
    const address = checksummed(addressInput);
    const message = await this.settings.redis.getdel(this.key(userId, address));
    if (!message)
      throw badInput('No open challenge for this address: ask walletLinkChallenge first', 'address');
    let signer: string;
    try {
      signer = verifyMessage(message, signature);
    } catch {
      throw badInput('signature is malformed', 'signature');
    }
    if (signer !== address) throw badInput('signature was not made by this address', 'signature');
    const existing = await this.em.findOne(Wallet, { address });
    if (existing) {
      if (existing.user.id === userId) return existing;
      throw conflict('This wallet is linked to another account');
    }
    const wallet = this.em.create(Wallet, { address, user: this.em.getReference(User, userId) });
    try {
      await this.em.flush();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('This wallet is linked to another account');
      throw err;
    }
    return wallet;
  }

  /** The first linked wallet of each account that has one. */
  async primaryOf(userIds: string[]): Promise<{ userId: string; address: string }[]> {
    const ids = userIds.filter((id) => isUuid(id));
    if (ids.length === 0) return [];
    const wallets = await this.em.find(Wallet, { user: { $in: ids } }, { orderBy: { linkedAt: 'asc' } });
    const first = new Map<string, string>();
    for (const w of wallets) if (!first.has(w.user.id)) first.set(w.user.id, w.address);
    return [...first].map(([userId, address]) => ({ userId, address }));
  }

  ofUser(userId: string): Promise<Wallet[]> {
    return this.em.find(Wallet, { user: userId }, { orderBy: { linkedAt: 'asc' } });
  }
}
