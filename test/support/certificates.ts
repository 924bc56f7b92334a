import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificates for the OCPP security profiles, made with the openssl CLI in a temporary folder: a CA,
 * a server certificate for 127.0.0.1 signed by it, and client certificates (CN = a charger identity).
 */
export function certificateAuthority(name = 'GridLedger Test CA') {
  const dir = mkdtempSync(join(tmpdir(), 'gridledger-pki-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const file = (n: string) => join(dir, n);
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );

  /** A key and a certificate for `cn` signed by this CA; `ip`: a server certificate for that address. */
  function issue(cn: string, ip?: string) {
    const base = `${cn.replace(/[^A-Za-z0-9.-]/g, '_')}-${Math.random().toString(36).slice(2, 8)}`;
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
    );
    const ext = ip
      ? `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`
      : 'extendedKeyUsage=clientAuth\n';
    writeFileSync(file(`${base}.ext`), ext);
    openssl(
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${base}.ext`,
      '-out',
      `${base}.pem`,
    );
    return {
      certFile: file(`${base}.pem`),
      keyFile: file(`${base}.key`),
      cert: readFileSync(file(`${base}.pem`)),
      key: readFileSync(file(`${base}.key`)),
    };
  }

  return {
    caFile: file('ca.pem'),
    ca: readFileSync(file('ca.pem')),
    issue,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
