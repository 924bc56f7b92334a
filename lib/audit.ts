/**
 * The auditor's check of the ledger (`npm run audit`, scripts/audit.ts), with nothing but what an
 * outside auditor has: a chain RPC and the public GraphQL API with an AUDITOR account or API key. No
 * database, no internal token.
 *
 * 1. The contract's logs from `fromBlock` to `toBlock`, in bounded pages (hosted RPCs refuse unbounded
 *    ranges); settlement events of other contracts with the same signatures are counted and ignored.
 * 2. The API's ledger (sessionLedger, planFeeLedger, tradeLedger, refundLedger), in cursor pages.
 * 3. Each record against its event: the record hash recomputed here from the record's typed data
 *    under the deployment's domain (lib/ledger.ts, docs/ledger-format.md); parties and amounts; a
 *    CONFIRMED record without an event; an event without a record.
 * 4. A replay: every wallet's escrow and credits recomputed from the events alone, compared with the
 *    contract's state at `toBlock`, and the contract's token balance = Σ escrow + Σ credits.
 */
import { Contract, getAddress, Interface, JsonRpcProvider, toQuantity, type InterfaceAbi } from 'ethers';
import { staticEventReader } from './chain/events.js';
import {
  communityKey,
  readingsTree,
  unixSeconds,
  type ReadingLeaf,
  ledgerDomain,
  ledgerHash,
  type LedgerDomain,
  type LedgerKind,
  type LedgerMessage,
} from './ledger.js';

export interface AuditOptions {
  rpcUrl: string;
  apiUrl: string;
  /** `authorization: Bearer …` or `x-api-key: …`. */
  apiHeaders: Record<string, string>;
  /** The PaymentLedger under audit; default: the API's settlementConfig (then reported as unpinned). */
  contract?: string;
  /** Default: the deployment block the caller knows, else 0. */
  fromBlock: number;
  /** Default: the chain's head when the audit starts. */
  toBlock?: number;
  /** Blocks per eth_getLogs call. */
  pageBlocks?: number;
  /** Records per API page. */
  pageSize?: number;
  /** Whether `fromBlock` is at or before the deployment, so that the events replay the whole ledger. */
  replay?: boolean;
  abi: InterfaceAbi;
  tokenAbi: InterfaceAbi;
  progress?: (phase: 'logs' | 'api' | 'replay', done: number, total: number) => void;
}

export type FindingKind =
  | 'eventWithoutRecord'
  | 'confirmedWithoutEvent'
  | 'hashMismatch'
  | 'termsMismatch'
  | 'domainMismatch'
  | 'contractMismatch'
  | 'anchorMismatch'
  | 'anchorWithoutRecord'
  | 'replayMismatch'
  | 'balanceMismatch';

export interface Finding {
  kind: FindingKind;
  record?: string;
  detail: string;
}

export interface AuditReport {
  chainId: number;
  contract: string;
  contractPinned: boolean;
  fromBlock: number;
  toBlock: number;
  records: Record<
    'sessions' | 'planFees' | 'trades' | 'refunds',
    { api: number; events: number; matched: number; inFlight: number }
  >;
  /** Meter-reading anchors: in the API, on chain, and whose leaves (read from the API now) give the chain's root. */
  anchors: { api: number; events: number; matched: number };
  foreignEvents: number;
  replay: {
    done: boolean;
    why?: string;
    wallets: number;
    tokenBalance: string;
    sumEscrow: string;
    sumCredits: string;
  };
  findings: Finding[];
  timings: Record<'rpcMs' | 'apiMs' | 'hashMs', number>;
  ok: boolean;
}

/** A log as eth_getLogs returns it (hex quantities). */
interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  transactionHash: string;
}

interface Typed {
  domain: LedgerDomain;
  message: LedgerMessage;
}

interface ApiAnchor {
  communityId: string;
  intervalStart: string;
  root: string;
  leafCount: number;
  status: string;
  txHash: string | null;
  leaves: string;
}

interface ApiRecord {
  recordId: string;
  /** Trades: the stored gross paid. */
  amount?: string;
  status: string;
  typedData: string;
  recordHash: string;
  txHash: string | null;
}

/** The record kinds: their event, the event's recordHash argument, and the API's listing. */
const KINDS = [
  { key: 'sessions', kind: 'ChargingSession', event: 'SessionSettled', hashArg: 5, query: 'sessionLedger' },
  { key: 'planFees', kind: 'PlanFee', event: 'PlanFeeSettled', hashArg: 5, query: 'planFeeLedger' },
  { key: 'trades', kind: 'EnergyTrade', event: 'TradeSettled', hashArg: 7, query: 'tradeLedger' },
  { key: 'refunds', kind: 'SessionRefund', event: 'SessionRefunded', hashArg: 5, query: 'refundLedger' },
] as const;

async function gql<T>(opts: AuditOptions, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(opts.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...opts.apiHeaders },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (body.errors?.length || !body.data)
    throw new Error(
      `the API refused ${query.slice(0, 40)}…: ${body.errors?.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ') ?? res.status}`,
    );
  return body.data;
}

const addr = (a: unknown) => getAddress(String(a));

export async function runAudit(opts: AuditOptions): Promise<AuditReport> {
  const timings = { rpcMs: 0, apiMs: 0, hashMs: 0 };
  const timed = async <T>(what: keyof typeof timings, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      timings[what] += performance.now() - t;
    }
  };
  const findings: Finding[] = [];
  const provider = new JsonRpcProvider(opts.rpcUrl, undefined, { batchMaxCount: 1, cacheTimeout: -1 });
  try {
    const { chainId } = await timed('rpcMs', () => provider.getNetwork());
    const config = await timed('apiMs', () =>
      gql<{ settlementConfig: { chainId: number; paymentsContract: string } }>(
        opts,
        '{ settlementConfig { chainId paymentsContract } }',
        {},
      ),
    );
    const contract = addr(opts.contract ?? config.settlementConfig.paymentsContract);
    if (
      addr(config.settlementConfig.paymentsContract) !== contract ||
      config.settlementConfig.chainId !== Number(chainId)
    )
      findings.push({
        kind: 'contractMismatch',
        detail: `the API names ${config.settlementConfig.paymentsContract} on chain ${config.settlementConfig.chainId}; audited: ${contract} on chain ${chainId}`,
      });
    const domain: LedgerDomain = ledgerDomain({ chainId: Number(chainId), paymentsContract: contract });
    const iface = new Interface(opts.abi);
    const toBlock = opts.toBlock ?? (await timed('rpcMs', () => provider.getBlockNumber()));
    const pageBlocks = opts.pageBlocks ?? 2000;

    // 1. Logs, per page: every event of the contract that the audit reads (filtered by its address),
    // and, from any contract, the settlement events' signatures — look-alikes of other contracts are
    // counted and ignored. (One query for all events without the address would also return every
    // other contract's Deposited/Withdrawn on a public chain.)
    const settlementNames = ['SessionSettled', 'PlanFeeSettled', 'TradeSettled', 'SessionRefunded'];
    const names = [
      ...settlementNames,
      'ProceedsShared',
      'Deposited',
      'Withdrawn',
      'CreditsWithdrawn',
      'FeeChanged',
      'ReadingsAnchored',
    ];
    const topicOf = (n: string) => iface.getEvent(n)!.topicHash;
    const read = staticEventReader(iface, contract, names);
    const ours = contract.toLowerCase();
    let foreignEvents = 0;

    // The logs, raw (ethers' Log objects cost more to build than the RPC takes to send them).
    // A range the RPC refuses as too large (hosted nodes cap the logs of one answer) is halved.
    const logsIn = async (filter: object, from: number, to: number): Promise<RawLog[]> => {
      try {
        return (await provider.send('eth_getLogs', [
          { ...filter, fromBlock: toQuantity(from), toBlock: toQuantity(to) },
        ])) as RawLog[];
      } catch (err) {
        if (to <= from || !/more than|too many|limit|range|exceed/i.test(String((err as Error).message)))
          throw err;
        const mid = Math.floor((from + to) / 2);
        return [...(await logsIn(filter, from, mid)), ...(await logsIn(filter, mid + 1, to))];
      }
    };
    const logsTask = timed('rpcMs', async () => {
      const own: RawLog[] = [];
      const pages = Math.max(1, Math.ceil((toBlock - opts.fromBlock + 1) / pageBlocks));
      for (let p = 0; p < pages; p++) {
        const from = opts.fromBlock + p * pageBlocks;
        const to = Math.min(toBlock, from + pageBlocks - 1);
        const [mine, lookAlikes] = await Promise.all([
          logsIn({ address: contract, topics: [names.map(topicOf)] }, from, to),
          logsIn({ topics: [settlementNames.map(topicOf)] }, from, to),
        ]);
        own.push(...mine);
        foreignEvents += lookAlikes.filter((l) => l.address.toLowerCase() !== ours).length;
        opts.progress?.('logs', p + 1, pages);
      }
      return own;
    });
    // 2. At the same time, the API's records, each hashed as its page arrives.
    const apiTask = timed('apiMs', async () => {
      const out = new Map<
        (typeof KINDS)[number]['key'],
        (ApiRecord & { hash: string | null; typed: Typed | null })[]
      >();
      for (const k of KINDS) {
        const list: (ApiRecord & { hash: string | null; typed: Typed | null })[] = [];
        let after: string | null = null;
        do {
          const page: { records: ApiRecord[]; nextCursor: string | null } = (
            await gql<Record<string, { records: ApiRecord[]; nextCursor: string | null }>>(
              opts,
              `query($first: Int!, $after: String) { ${k.query}(first: $first, after: $after) { records { recordId status typedData recordHash txHash${k.kind === 'EnergyTrade' ? ' amount' : ''} } nextCursor } }`,
              { first: opts.pageSize ?? 1000, after },
            )
          )[k.query]!;
          const t = performance.now();
          for (const r of page.records) {
            const typed = r.status === 'CONFIRMED' ? (JSON.parse(r.typedData) as Typed) : null;
            list.push({
              ...r,
              typed,
              hash: typed && ledgerHash(k.kind as LedgerKind, domain, typed.message),
            });
          }
          timings.hashMs += performance.now() - t;
          after = page.nextCursor;
          opts.progress?.('api', list.length, list.length + (after ? 1 : 0));
        } while (after);
        out.set(k.key, list);
      }
      return out;
    });
    const anchorsTask = timed('apiMs', async () => {
      const list: ApiAnchor[] = [];
      let after: string | null = null;
      do {
        const page: { anchors: ApiAnchor[]; nextCursor: string | null } = (
          await gql<{ readingAnchors: { anchors: ApiAnchor[]; nextCursor: string | null } }>(
            opts,
            'query($after: String) { readingAnchors(first: 500, after: $after) { anchors { communityId intervalStart root leafCount status txHash leaves } nextCursor } }',
            { after },
          )
        ).readingAnchors;
        list.push(...page.anchors);
        after = page.nextCursor;
      } while (after);
      return list;
    });
    const [own, fromApi, apiAnchors] = await Promise.all([logsTask, apiTask, anchorsTask]);
    const events = own
      .map((log) => ({ log, parsed: read(log) }))
      .filter((e): e is { log: RawLog; parsed: NonNullable<typeof e.parsed> } => e.parsed != null);

    // 3. Each record against its event.
    const records = {} as AuditReport['records'];
    for (const k of KINDS) {
      const byId = new Map<string, { log: RawLog; args: unknown[] }>();
      for (const e of events)
        if (e.parsed.name === k.event)
          byId.set(String(e.parsed.args[0]), { log: e.log, args: e.parsed.args });
      const seen = new Set<string>();
      const counts = { api: 0, events: byId.size, matched: 0, inFlight: 0 };
      for (const r of fromApi.get(k.key)!) {
        counts.api++;
        seen.add(r.recordId);
        const event = byId.get(r.recordId);
        const where = `${k.kind} ${r.recordId}`;
        if (!event) {
          if (r.status === 'CONFIRMED')
            findings.push({
              kind: 'confirmedWithoutEvent',
              record: where,
              detail: `CONFIRMED in ${r.txHash ?? 'no transaction'}, but the contract has no ${k.event} for it up to block ${toBlock}`,
            });
          continue;
        }
        if (!r.typed) {
          counts.inFlight++;
          continue;
        }
        const before = findings.length;
        if (JSON.stringify(r.typed.domain) !== JSON.stringify(domain))
          findings.push({
            kind: 'domainMismatch',
            record: where,
            detail: `record domain ${JSON.stringify(r.typed.domain)}`,
          });
        const onChainHash = String(event.args[k.hashArg]);
        if (r.hash !== onChainHash || r.recordHash !== onChainHash)
          findings.push({
            kind: 'hashMismatch',
            record: where,
            detail: `the record hashes to ${r.hash} (the API says ${r.recordHash}); the event in ${event.log.transactionHash} has ${onChainHash}`,
          });
        const terms = differences(k.kind, r.typed.message, event.args);
        // A trade's stored gross, which the API shows its parties, must be what the chain took.
        if (r.amount !== undefined && BigInt(r.amount) !== BigInt(event.args[5] as bigint))
          terms.push(`stored amount ${r.amount} ≠ paid ${String(event.args[5])}`);
        if (r.txHash !== event.log.transactionHash)
          terms.push(`transaction ${r.txHash} ≠ ${event.log.transactionHash}`);
        if (terms.length) findings.push({ kind: 'termsMismatch', record: where, detail: terms.join('; ') });
        if (findings.length === before) counts.matched++;
      }
      for (const [id, e] of byId)
        if (!seen.has(id))
          findings.push({
            kind: 'eventWithoutRecord',
            record: `${k.kind} ${id}`,
            detail: `${k.event} in ${e.log.transactionHash} (block ${Number(e.log.blockNumber)}) has no record in the API`,
          });
      records[k.key] = counts;
    }

    // Meter-reading anchors: the root of each interval's leaves as the API gives them now, against the chain's.
    const anchorEvents = new Map<string, { log: RawLog; root: string; leafCount: bigint }>();
    for (const e of events)
      if (e.parsed.name === 'ReadingsAnchored')
        anchorEvents.set(`${String(e.parsed.args[0])}|${String(e.parsed.args[1])}`, {
          log: e.log,
          root: String(e.parsed.args[2]),
          leafCount: BigInt(e.parsed.args[3] as bigint),
        });
    const anchors = { api: apiAnchors.length, events: anchorEvents.size, matched: 0 };
    const anchorSeen = new Set<string>();
    for (const a of apiAnchors) {
      const key = `${communityKey(a.communityId)}|${unixSeconds(a.intervalStart)}`;
      const where = `interval ${a.intervalStart} of community ${a.communityId}`;
      anchorSeen.add(key);
      const event = anchorEvents.get(key);
      if (!event) {
        if (a.status === 'CONFIRMED')
          findings.push({
            kind: 'confirmedWithoutEvent',
            record: where,
            detail: `anchor CONFIRMED in ${a.txHash ?? 'no transaction'}, but the contract has no ReadingsAnchored for it`,
          });
        continue;
      }
      const leaves = JSON.parse(a.leaves) as ReadingLeaf[];
      const root = leaves.length ? readingsTree(leaves).root : '0x';
      if (root !== event.root || BigInt(leaves.length) !== event.leafCount)
        findings.push({
          kind: 'anchorMismatch',
          record: where,
          detail: `the API's ${leaves.length} readings give root ${root}; the chain anchored ${event.root} over ${event.leafCount} in ${event.log.transactionHash}`,
        });
      else anchors.matched++;
    }
    for (const [key, e] of anchorEvents)
      if (!anchorSeen.has(key))
        findings.push({
          kind: 'anchorWithoutRecord',
          record: key,
          detail: `ReadingsAnchored in ${e.log.transactionHash} has no anchor in the API`,
        });

    // 4. The replay, from the deployment on (a later fromBlock starts mid-history: no replay).
    const replay =
      opts.replay === false
        ? {
            done: false,
            why: 'fromBlock is after the deployment: the events do not hold the whole ledger',
            wallets: 0,
            tokenBalance: '',
            sumEscrow: '',
            sumCredits: '',
          }
        : await timed('rpcMs', () => replayLedger(provider, opts, events, contract, toBlock, findings));
    return {
      chainId: Number(chainId),
      contract,
      contractPinned: opts.contract != null,
      fromBlock: opts.fromBlock,
      toBlock,
      records,
      anchors,
      foreignEvents,
      replay,
      findings,
      timings: {
        rpcMs: Math.round(timings.rpcMs),
        apiMs: Math.round(timings.apiMs),
        hashMs: Math.round(timings.hashMs),
      },
      ok: findings.length === 0,
    };
  } finally {
    provider.destroy();
  }
}

/** Where the event's terms differ from the record's (sessions and plan fees: payer, payee, amount; trades: parties, energy, price, gross). */
function differences(kind: string, m: LedgerMessage, args: unknown[]): string[] {
  const out: string[] = [];
  const same = (name: string, a: unknown, b: unknown) => {
    if (String(a).toLowerCase() !== String(b).toLowerCase())
      out.push(`${name}: record ${String(a)}, event ${String(b)}`);
  };
  if (kind === 'ChargingSession' || kind === 'PlanFee') {
    same('payer', m.payer, args[1]);
    same('payee', m.payee, args[2]);
    same('amount', m.amount, args[3]);
  } else if (kind === 'SessionRefund') {
    same('sessionRecordId', m.sessionRecordId, args[1]);
    same('operator', m.operator, args[2]);
    same('payer', m.payer, args[3]);
    same('amount', m.amount, args[4]);
  } else {
    same('seller', m.seller, args[1]);
    same('buyer', m.buyer, args[2]);
    same('energyWh', m.energyWh, args[3]);
    same('pricePerKwh', m.pricePerKwh, args[4]);
    // The contract's rounding (docs/ledger-format.md): gross = ⌊energy × price / 1000⌋.
    same('amount', (BigInt(m.energyWh as string) * BigInt(m.pricePerKwh as string)) / 1000n, args[5]);
  }
  return out;
}

/**
 * Every wallet's escrow and credits from the events alone, compared with `escrowOf` / `creditsOf` at
 * `toBlock`, and the contract's token balance with their sums. Needs every event since deployment.
 */
async function replayLedger(
  provider: JsonRpcProvider,
  opts: AuditOptions,
  events: { log: RawLog; parsed: { name: string; args: readonly unknown[] } }[],
  contract: string,
  toBlock: number,
  findings: Finding[],
): Promise<AuditReport['replay']> {
  const ledger = new Contract(contract, opts.abi, provider);
  const escrow = new Map<string, bigint>();
  const credits = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, who: unknown, v: bigint) => {
    const a = addr(who);
    m.set(a, (m.get(a) ?? 0n) + v);
  };
  let feeRecipient: string | null = null;
  // A trade's ProceedsShared events come before its TradeSettled (in the same transaction).
  const sellerOf = new Map<string, string>();
  for (const { parsed: e } of events)
    if (e.name === 'TradeSettled') sellerOf.set(String(e.args[0]), addr(e.args[1]));
  for (const { parsed: e } of events) {
    const a = e.args;
    switch (e.name) {
      case 'FeeChanged':
        feeRecipient = addr(a[0]);
        break;
      case 'Deposited':
        add(escrow, a[0], BigInt(a[1] as bigint));
        break;
      case 'Withdrawn':
        add(escrow, a[0], -BigInt(a[2] as bigint));
        break;
      case 'CreditsWithdrawn':
        add(credits, a[0], -BigInt(a[2] as bigint));
        break;
      case 'SessionSettled':
      case 'PlanFeeSettled': {
        const [amount, fee] = [BigInt(a[3] as bigint), BigInt(a[4] as bigint)];
        add(escrow, a[1], -amount);
        add(credits, a[2], amount - fee);
        if (fee > 0n) add(credits, feeRecipient ?? '0x0000000000000000000000000000000000000000', fee);
        break;
      }
      case 'TradeSettled': {
        const [amount, fee] = [BigInt(a[5] as bigint), BigInt(a[6] as bigint)];
        add(escrow, a[2], -amount);
        add(credits, a[1], amount - fee);
        if (fee > 0n) add(credits, feeRecipient ?? '0x0000000000000000000000000000000000000000', fee);
        break;
      }
      case 'ProceedsShared': {
        // A co-owned site's proceeds: from the seller's line to each owner's.
        const seller = sellerOf.get(String(a[0]));
        const v = BigInt(a[2] as bigint);
        if (seller) add(credits, seller, -v);
        add(credits, a[1], v);
        break;
      }
      case 'SessionRefunded':
        add(credits, a[2], -BigInt(a[4] as bigint));
        add(escrow, a[3], BigInt(a[4] as bigint));
        break;
    }
  }
  const wallets = [...new Set([...escrow.keys(), ...credits.keys()])];
  const at = { blockTag: toBlock };
  let done = 0;
  for (const w of wallets) {
    const [[balance], owed] = (await Promise.all([
      ledger.getFunction('escrowOf')(w, at),
      ledger.getFunction('creditsOf')(w, at),
    ])) as [bigint[], bigint];
    if (balance !== (escrow.get(w) ?? 0n) || owed !== (credits.get(w) ?? 0n))
      findings.push({
        kind: 'replayMismatch',
        record: w,
        detail: `events give escrow ${escrow.get(w) ?? 0n}, credits ${credits.get(w) ?? 0n}; the contract at block ${toBlock} has ${balance}, ${owed}`,
      });
    opts.progress?.('replay', ++done, wallets.length);
  }
  const token = new Contract(String(await ledger.getFunction('token')(at)), opts.tokenAbi, provider);
  const tokenBalance = (await token.getFunction('balanceOf')(contract, at)) as bigint;
  const sumEscrow = [...escrow.values()].reduce((x, y) => x + y, 0n);
  const sumCredits = [...credits.values()].reduce((x, y) => x + y, 0n);
  if (tokenBalance !== sumEscrow + sumCredits)
    findings.push({
      kind: 'balanceMismatch',
      detail: `the contract holds ${tokenBalance} tokens; the events give Σ escrow ${sumEscrow} + Σ credits ${sumCredits}`,
    });
  return {
    done: true,
    wallets: wallets.length,
    tokenBalance: String(tokenBalance),
    sumEscrow: String(sumEscrow),
    sumCredits: String(sumCredits),
  };
}
