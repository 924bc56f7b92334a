/** Runs the auditor's tool (dist/scripts/audit.js) as an auditor would, and reads its JSON report. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AuditReport } from '../../lib/audit.js';

export const AUDIT_CLI = fileURLToPath(new URL('../../dist/scripts/audit.js', import.meta.url));

/** An audit of `contract` on the chain at `rpc` through the API at `api`, signed in as `auditor`. */
export async function runAuditCli(opts: {
  rpc: string;
  api: string;
  contract: string;
  auditor: { email: string; password: string };
  args?: string[];
}): Promise<{ code: number; report: AuditReport; stderr: string }> {
  const args = [
    AUDIT_CLI,
    '--rpc',
    opts.rpc,
    '--api',
    opts.api,
    '--contract',
    opts.contract,
    '--format',
    'json',
    '--page-blocks',
    '7',
    ...(opts.args ?? []),
  ];
  const env = { ...process.env, AUDIT_EMAIL: opts.auditor.email, AUDIT_PASSWORD: opts.auditor.password };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { env });
    return { code: 0, report: JSON.parse(stdout) as AuditReport, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    if (e.code !== 1) throw new Error(`audit exited ${e.code}: ${e.stderr}`, { cause: err });
    return { code: 1, report: JSON.parse(e.stdout) as AuditReport, stderr: e.stderr };
  }
}
