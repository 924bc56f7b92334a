import { readFileSync } from 'node:fs';
import { TypedDataEncoder } from 'ethers';
import {
  encodeType,
  LEDGER_TYPES,
  ledgerDomain,
  ledgerHash,
  ledgerTypedData,
  type LedgerDomain,
  type LedgerKind,
  type LedgerMessage,
} from '../../lib/ledger.js';

const vectors = JSON.parse(
  readFileSync(new URL('../../docs/ledger-vectors.json', import.meta.url), 'utf8'),
) as {
  domain: LedgerDomain;
  records: { kind: LedgerKind; note: string; message: LedgerMessage; hash: string }[];
};

/** The independent implementation: ethers' TypedDataEncoder over the same types. */
function ethersHash(kind: LedgerKind, domain: LedgerDomain, message: LedgerMessage) {
  const types =
    kind === 'EnergyTrade'
      ? { EnergyTrade: [...LEDGER_TYPES.EnergyTrade], Share: [...LEDGER_TYPES.Share] }
      : { [kind]: [...LEDGER_TYPES[kind]] };
  return TypedDataEncoder.hash(domain, types, message);
}

describe('the ledger record format (lib/ledger.ts, docs/ledger-format.md)', () => {
  it('has a vector for every record kind', () => {
    expect(new Set(vectors.records.map((r) => r.kind))).toEqual(
      new Set(['ChargingSession', 'EnergyTrade', 'SessionRefund', 'PlanFee']),
    );
  });

  it.each(vectors.records.map((r) => [r.note, r] as const))('vector: %s', (_, r) => {
    expect(ledgerHash(r.kind, vectors.domain, r.message)).toBe(r.hash);
    expect(ethersHash(r.kind, vectors.domain, r.message)).toBe(r.hash);
  });

  it('binds every hash to its chain and contract, and to every field', () => {
    const r = vectors.records[0]!;
    const other = { ...vectors.domain, chainId: 137 };
    const elsewhere = ledgerDomain({ chainId: 80002, paymentsContract: '0x' + '11'.repeat(20) });
    expect(ledgerHash(r.kind, other, r.message)).not.toBe(r.hash);
    expect(ledgerHash(r.kind, elsewhere, r.message)).not.toBe(r.hash);
    for (const field of Object.keys(r.message)) {
      const v = r.message[field]!;
      const changed =
        typeof v === 'number'
          ? v + 1
          : /^0x[0-9a-fA-F]{40}$/.test(String(v))
            ? '0x' + '22'.repeat(20)
            : `${String(v)}1`;
      expect([field, ledgerHash(r.kind, vectors.domain, { ...r.message, [field]: changed })]).not.toEqual([
        field,
        r.hash,
      ]);
    }
  });

  it('writes encodeType as EIP-712 does (referenced structs after the primary type)', () => {
    expect(encodeType('EnergyTrade')).toMatch(
      /^EnergyTrade\(uint256 recordId,.*Share\[\] shares\)Share\(address owner,uint16 bps\)$/,
    );
  });

  it('refuses values its types cannot hold, as EIP-712 encoders do', () => {
    const m = vectors.records[0]!.message;
    expect(() => ledgerHash('ChargingSession', vectors.domain, { ...m, evseId: 2 ** 32 })).toThrow(
      'does not fit uint32',
    );
    expect(() => ledgerHash('ChargingSession', vectors.domain, { ...m, payer: '0x1234' })).toThrow(
      'is not an address',
    );
    expect(() => ledgerHash('ChargingSession', vectors.domain, { ...m, amount: '-1' })).toThrow();
  });

  it('refuses a message without one of its fields', () => {
    const { energyWh: _, ...rest } = vectors.records[0]!.message;
    expect(() => ledgerHash('ChargingSession', vectors.domain, rest)).toThrow(
      'ChargingSession.energyWh is missing',
    );
  });

  it('gives typed data that eth_signTypedData_v4 tools hash to the same digest', () => {
    for (const r of vectors.records) {
      const td = ledgerTypedData(r.kind, vectors.domain, r.message);
      const { EIP712Domain: _, ...types } = td.types;
      expect(TypedDataEncoder.hash(td.domain, types as never, td.message)).toBe(r.hash);
      expect(JSON.parse(JSON.stringify(td))).toEqual(td);
    }
  });
});
