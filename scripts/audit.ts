/**
 * The auditor's tool: checks the contract ledger against the platform's records with nothing but a
 * chain RPC and the public GraphQL API (lib/audit.ts says what it checks).
 *
 *   npm run audit -- --rpc URL --api URL [--contract ADDRESS] [--network NAME]
 *                    [--from-block N] [--to-block N] [--format table|json] [--out FILE]
 *
 * Credentials come from the environment, never the command line: AUDIT_API_KEY (an API key of an
 * AUDITOR account, scope SESSIONS_READ and MARKET_READ) or AUDIT_EMAIL and AUDIT_PASSWORD (the account
 * signs in). `--network NAME` reads deployments/NAME.json for the contract and its deployment block;
 * without it and without `--contract`, the contract is the one the API names (reported as unpinned).
 * Exit status: 0 when the ledger audits clean, 1 on any finding, 2 when the audit could not run.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { runAudit, type AuditReport } from '../lib/audit.js';
import { abiOf, readDeployment } from '../lib/chain/contracts.js';

const { values } = parseArgs({
  options: {
    rpc: { type: 'string' },
    api: { type: 'string' },
    network: { type: 'string' },
    contract: { type: 'string' },
    'from-block': { type: 'string' },
    'to-block': { type: 'string' },
    'page-blocks': { type: 'string', default: '2000' },
    format: { type: 'string', default: 'table' },
    out: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(`audit: ${message}`);
  process.exit(2);
}
const block = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) fail(`--${name} must be a block number, not "${v}"`);
  return Number(v);
};

async function main() {
  if (!['table', 'json'].includes(values.format!)) fail('--format must be table or json');
  const deployment = values.network
    ? await readDeployment(values.network).catch((e: Error) => fail(e.message))
    : null;
  const rpcUrl =
    values.rpc ??
    process.env.CHAIN_RPC_URL ??
    (values.network === 'localhost' ? 'http://127.0.0.1:8545' : undefined);
  if (!rpcUrl) fail('--rpc URL is needed (or CHAIN_RPC_URL)');
  if (!values.api) fail('--api URL (the public GraphQL endpoint) is needed');
  const apiUrl = values.api;
  let apiHeaders: Record<string, string>;
  if (process.env.AUDIT_API_KEY) apiHeaders = { 'x-api-key': process.env.AUDIT_API_KEY };
  else if (process.env.AUDIT_EMAIL && process.env.AUDIT_PASSWORD) {
    const res = await fetch(apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        variables: { e: process.env.AUDIT_EMAIL, p: process.env.AUDIT_PASSWORD },
      }),
    }).catch((e: Error) => fail(`the API at ${apiUrl} did not answer: ${e.message}`));
    const body = (await res.json()) as {
      data?: { login?: { accessToken: string } };
      errors?: { message: string }[];
    };
    if (!body.data?.login) fail(`sign-in refused: ${body.errors?.[0]?.message ?? res.status}`);
    apiHeaders = { authorization: `Bearer ${body.data.login.accessToken}` };
  } else fail('set AUDIT_API_KEY, or AUDIT_EMAIL and AUDIT_PASSWORD, for an AUDITOR account');

  const deployedAt = deployment?.blockNumber ?? 0;
  const fromBlock = block('from-block', values['from-block']) ?? deployedAt;
  // Progress on a terminal only: a CI log or a pipe gets the report alone.
  const bars =
    values.quiet || !process.stderr.isTTY
      ? null
      : new cliProgress.MultiBar(
          {
            format: ' {phase} [{bar}] {value}/{total}',
            hideCursor: true,
            clearOnComplete: false,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        );
  const bar = new Map<string, cliProgress.SingleBar>();
  const report = await runAudit({
    rpcUrl,
    apiUrl,
    apiHeaders,
    contract: values.contract ?? deployment?.paymentsContract,
    fromBlock,
    toBlock: block('to-block', values['to-block']),
    pageBlocks: block('page-blocks', values['page-blocks']),
    replay: fromBlock <= deployedAt,
    abi: await abiOf('PaymentLedger'),
    tokenAbi: await abiOf('TestStablecoin'),
    progress: (phase, done, total) => {
      if (!bars) return;
      let b = bar.get(phase);
      if (!b) bar.set(phase, (b = bars.create(total, 0, { phase: phase.padEnd(6) })));
      b.setTotal(total);
      b.update(done, { phase: phase.padEnd(6) });
    },
  }).catch((e: Error) => {
    bars?.stop();
    fail(e.message);
  });
  bars?.stop();
  const text = values.format === 'json' ? JSON.stringify(report, null, 2) : table(report);
  if (values.out) await writeFile(values.out, `${text}\n`);
  else console.log(text);
  process.exit(report.ok ? 0 : 1);
}

function table(r: AuditReport): string {
  const lines = [
    `Ledger audit of ${r.contract} on chain ${r.chainId}${r.contractPinned ? '' : ' (the contract the API names: not pinned)'}, blocks ${r.fromBlock}–${r.toBlock}`,
    '',
    'kind       records (API)  events  matched  in flight',
    ...(['sessions', 'planFees', 'trades', 'refunds'] as const).map(
      (k) =>
        `${k.padEnd(10)} ${String(r.records[k].api).padStart(13)}  ${String(r.records[k].events).padStart(6)}  ${String(r.records[k].matched).padStart(7)}  ${String(r.records[k].inFlight).padStart(9)}`,
    ),
    `look-alike events of other contracts (ignored): ${r.foreignEvents}`,
    `meter-reading anchors: ${r.anchors.api} in the API, ${r.anchors.events} on chain, ${r.anchors.matched} matching the API's readings`,
    r.replay.done
      ? `replay: ${r.replay.wallets} wallets; token balance ${r.replay.tokenBalance} = Σ escrow ${r.replay.sumEscrow} + Σ credits ${r.replay.sumCredits}`
      : `replay: not done (${r.replay.why})`,
    `time: RPC ${r.timings.rpcMs} ms, API ${r.timings.apiMs} ms, hashing ${r.timings.hashMs} ms`,
    '',
    r.ok
      ? 'CLEAN: every record matches its event and the ledger replays'
      : `${r.findings.length} FINDING(S):`,
    ...r.findings.map((f) => `  ${f.kind}${f.record ? ` ${f.record}` : ''}: ${f.detail}`),
  ];
  return lines.join('\n');
}

await main();
