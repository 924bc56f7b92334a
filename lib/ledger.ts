/**
 * The ledger's record format, version 1 (docs/ledger-format.md): every record the contract settles —
 * a charging session, a plan's monthly fee, an energy trade, a refund — as EIP-712 typed data, whose digest is the
 * `recordHash` in the record's on-chain event. The domain names the chain and the PaymentLedger
 * contract, so a record hashed for one deployment or chain never passes for another's.
 *
 * The subgraphs build the messages from their rows when they number a record; the auditor's tool
 * (scripts/audit.ts) rebuilds the digest from the message the public API returns and compares it with
 * the event. The encoding is written out here (EIP-712's encodeType / encodeData / hashStruct) rather
 * than taken from ethers' TypedDataEncoder, so that the tests can hold the two against each other.
 *
 * Conventions: amounts in token base units, energy in Wh, prices in token base units per kWh (or per
 * minute), times in Unix seconds (rounded down), addresses checksummed, ids as the API shows them.
 */
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder, getAddress, keccak256, toUtf8Bytes } from 'ethers';

export const LEDGER_NAME = 'GridLedger';
export const LEDGER_VERSION = '1';

export interface LedgerDomain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: string;
}

/** The domain of a deployment's records. */
export const ledgerDomain = (d: { chainId: number; paymentsContract: string }): LedgerDomain => ({
  name: LEDGER_NAME,
  version: LEDGER_VERSION,
  chainId: d.chainId,
  verifyingContract: getAddress(d.paymentsContract),
});

type Field = { name: string; type: string };

/** The record types (EIP-712 `types`, without EIP712Domain). Field order is part of the format. */
export const LEDGER_TYPES = {
  ChargingSession: [
    { name: 'recordId', type: 'uint256' },
    { name: 'sessionId', type: 'string' },
    { name: 'chargerIdentity', type: 'string' },
    { name: 'evseId', type: 'uint32' },
    { name: 'transactionId', type: 'string' },
    { name: 'payer', type: 'address' },
    { name: 'payee', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'currency', type: 'string' },
    { name: 'tariffId', type: 'string' },
    { name: 'energyCost', type: 'uint256' },
    { name: 'timeCost', type: 'uint256' },
    { name: 'idleCost', type: 'uint256' },
    { name: 'sessionFee', type: 'uint256' },
    { name: 'energyWh', type: 'uint256' },
    { name: 'meterStartWh', type: 'uint256' },
    { name: 'meterStopWh', type: 'uint256' },
    { name: 'startedAt', type: 'uint64' },
    { name: 'stoppedAt', type: 'uint64' },
  ],
  EnergyTrade: [
    { name: 'recordId', type: 'uint256' },
    { name: 'tradeId', type: 'string' },
    { name: 'communityId', type: 'string' },
    { name: 'intervalStart', type: 'uint64' },
    { name: 'sellerSiteId', type: 'string' },
    { name: 'buyer', type: 'address' },
    { name: 'seller', type: 'address' },
    { name: 'tradedWh', type: 'uint256' },
    { name: 'energyWh', type: 'uint256' },
    { name: 'pricePerKwh', type: 'uint256' },
    { name: 'feeBps', type: 'uint16' },
    { name: 'shares', type: 'Share[]' },
  ],
  Share: [
    { name: 'owner', type: 'address' },
    { name: 'bps', type: 'uint16' },
  ],
  PlanFee: [
    { name: 'recordId', type: 'uint256' },
    { name: 'chargeId', type: 'string' },
    { name: 'subscriptionId', type: 'string' },
    { name: 'planId', type: 'string' },
    { name: 'payer', type: 'address' },
    { name: 'payee', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'currency', type: 'string' },
    { name: 'periodStart', type: 'uint64' },
    { name: 'periodEnd', type: 'uint64' },
  ],
  SessionRefund: [
    { name: 'recordId', type: 'uint256' },
    { name: 'sessionRecordId', type: 'uint256' },
    { name: 'operator', type: 'address' },
    { name: 'payer', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'reason', type: 'string' },
    { name: 'createdAt', type: 'uint64' },
  ],
} as const satisfies Record<string, readonly Field[]>;

export type LedgerKind = 'ChargingSession' | 'EnergyTrade' | 'SessionRefund' | 'PlanFee';

type Value = string | number | bigint | Value[] | { [k: string]: Value };
export type LedgerMessage = Record<string, Value>;

const DOMAIN_FIELDS: Field[] = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
];
const ALL: Record<string, readonly Field[]> = { ...LEDGER_TYPES, EIP712Domain: DOMAIN_FIELDS };
const abi = AbiCoder.defaultAbiCoder();

/** EIP-712 encodeType: the primary type, then the struct types it references, sorted by name. */
export function encodeType(primary: string): string {
  const found = new Set<string>();
  const visit = (name: string) => {
    if (found.has(name)) return;
    found.add(name);
    for (const f of ALL[name]!) {
      const base = f.type.replace(/\[\]$/, '');
      if (ALL[base]) visit(base);
    }
  };
  visit(primary);
  const [first, ...rest] = [primary, ...[...found].filter((n) => n !== primary).sort()];
  return [first!, ...rest]
    .map((n) => `${n}(${ALL[n]!.map((f) => `${f.type} ${f.name}`).join(',')})`)
    .join('');
}

const word = (n: bigint) => {
  if (n < 0n || n >= 1n << 256n) throw new Error(`${n} is not a uint256`);
  return n.toString(16).padStart(64, '0');
};
const typeHashes = new Map<string, string>();
const typeHash = (type: string) => {
  let h = typeHashes.get(type);
  if (!h) typeHashes.set(type, (h = keccak256(toUtf8Bytes(encodeType(type)))));
  return h;
};

/** One field's 32-byte word in encodeData, as hex without 0x (uints and addresses written out: a word each). */
function encodeField(type: string, value: Value): string {
  if (type.endsWith('[]')) {
    const item = type.slice(0, -2);
    return keccak256(`0x${(value as Value[]).map((v) => encodeField(item, v)).join('')}`).slice(2);
  }
  if (ALL[type]) return hashStruct(type, value as LedgerMessage).slice(2);
  if (type === 'string') return keccak256(toUtf8Bytes(value as string)).slice(2);
  if (type === 'address') {
    if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value))
      throw new Error(`${String(value)} is not an address`);
    return value.slice(2).toLowerCase().padStart(64, '0');
  }
  if (/^uint\d*$/.test(type)) {
    const bits = Number(type.slice(4) || 256);
    const n = BigInt(value as string | number | bigint);
    if (n >= 1n << BigInt(bits)) throw new Error(`${n} does not fit ${type}`);
    return word(n);
  }
  // Any other atomic type the format may add later.
  return abi.encode([type], [value]).slice(2);
}

/** EIP-712 hashStruct(s) = keccak256(typeHash ‖ encodeData(s)). */
export function hashStruct(type: string, message: LedgerMessage): string {
  const fields = ALL[type];
  if (!fields) throw new Error(`unknown ledger type ${type}`);
  let data = typeHash(type);
  for (const f of fields) {
    if (!(f.name in message)) throw new Error(`${type}.${f.name} is missing`);
    data += encodeField(f.type, message[f.name]!);
  }
  return keccak256(data);
}

const domainSeparators = new Map<string, string>();

/** The record's digest: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)), its `recordHash`. */
export function ledgerHash(kind: LedgerKind, domain: LedgerDomain, message: LedgerMessage): string {
  const key = `${domain.name}|${domain.version}|${domain.chainId}|${domain.verifyingContract}`;
  let separator = domainSeparators.get(key);
  if (!separator) domainSeparators.set(key, (separator = hashStruct('EIP712Domain', { ...domain })));
  return keccak256(`0x1901${separator.slice(2)}${hashStruct(kind, message).slice(2)}`);
}

/**
 * The record as EIP-712 typed data (what `eth_signTypedData_v4` and ethers' TypedDataEncoder take),
 * with integers as decimal strings so that it travels as JSON.
 */
export function ledgerTypedData(kind: LedgerKind, domain: LedgerDomain, message: LedgerMessage) {
  const types: Record<string, readonly Field[]> = { EIP712Domain: DOMAIN_FIELDS };
  for (const name of encodeType(kind).match(/[A-Za-z0-9]+(?=\()/g)!) types[name] = ALL[name]!;
  return { types, primaryType: kind, domain, message: jsonable(message) as LedgerMessage };
}

const jsonable = (v: Value): Value =>
  typeof v === 'bigint'
    ? v.toString()
    : Array.isArray(v)
      ? v.map(jsonable)
      : typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonable(x)]))
        : v;

/** Unix seconds (rounded down) of a time, as the format writes times. */
export const unixSeconds = (d: Date | string) => BigInt(Math.floor(new Date(d).getTime() / 1000));

/** A community's UUID as the contract's bytes32 (right-aligned), in ReadingsAnchored. */
export const communityKey = (communityId: string) =>
  `0x${communityId.replace(/-/g, '').toLowerCase().padStart(64, '0')}`;

/**
 * A community interval's meter readings as anchored on chain (ReadingsAnchored): one leaf per meter
 * with interval energy, (meter id, interval start in Unix seconds, import Wh, export Wh), ordered by
 * meter id, in OpenZeppelin's standard Merkle tree (leaf = keccak256(keccak256(abi.encode(values)))).
 */
export const READING_LEAF_TYPES = ['string', 'uint64', 'uint256', 'uint256'];
export type ReadingLeaf = [meterId: string, intervalStart: string, importWh: string, exportWh: string];
export const readingsTree = (leaves: ReadingLeaf[]) => StandardMerkleTree.of(leaves, READING_LEAF_TYPES);
