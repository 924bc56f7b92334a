import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from '../../lib/config.js';
import {
  developmentSeed,
  generateSigningEnv,
  privateKeyFromSeed,
  privateKeyVariable,
  publicKeyText,
  SIGNERS,
} from '../../lib/signing.js';
import { PROCESSES, productionEnvFiles } from '../../scripts/production-env.js';

/** KEY=value lines of an env file, as docker compose reads them (comments and blank lines skipped). */
const parseEnv = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

/** The env_file list of one service of docker-compose.yml. */
function envFilesOf(compose: string, service: string): string[] {
  const block = new RegExp(`^  ${service}:\\n((?:    .*\\n|\\n)+)`, 'm').exec(compose)?.[1] ?? '';
  const list = /env_file: \[([^\]]*)\]/.exec(block)?.[1] ?? '';
  return list.split(',').map((f) => f.trim().replace(/^deploy\/env\//, ''));
}

const DEV_PUBLIC_KEYS = SIGNERS.map(
  (s) => `${s}=${publicKeyText(privateKeyFromSeed(developmentSeed(s)))}`,
).join(',');
const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://app:secret@db/gridledger',
  GRIDLEDGER_ADMIN_PASSWORD: 'a-real-admin-password',
};

describe('production configuration refuses development defaults', () => {
  it('needs every public key', () => {
    expect(() => loadConfig(production)).toThrow(/SIGNING_PUBLIC_KEYS must name gateway/);
  });

  it('refuses the development signing keys, set explicitly as public or private keys', () => {
    expect(() => loadConfig({ ...production, SIGNING_PUBLIC_KEYS: DEV_PUBLIC_KEYS })).toThrow(
      /published development key/,
    );
    const keys = generateSigningEnv();
    const devPrivate = { [privateKeyVariable('gateway')]: developmentSeed('gateway') };
    expect(() => loadConfig({ ...production, ...keys, ...devPrivate })).toThrow(
      /published development key|does not match/,
    );
  });

  it('refuses a private key that is not its signer’s', () => {
    const keys = generateSigningEnv();
    const swapped = {
      ...keys,
      [privateKeyVariable('gateway')]: keys[privateKeyVariable('user-subgraph')]!,
    };
    expect(() => loadConfig({ ...production, ...swapped })).toThrow(
      /SIGNING_KEY_GATEWAY does not match gateway's key/,
    );
  });

  it('refuses the development admin password and database password when set explicitly', () => {
    const keys = generateSigningEnv();
    expect(() =>
      loadConfig({ ...production, ...keys, GRIDLEDGER_ADMIN_PASSWORD: 'development-only-admin-password' }),
    ).toThrow(/GRIDLEDGER_ADMIN_PASSWORD is set to its published development value/);
    expect(() =>
      loadConfig({
        ...production,
        ...keys,
        DATABASE_URL: 'postgresql://postgres:development-only-embedded-postgres@db/gridledger',
      }),
    ).toThrow(ConfigError);
  });

  it('accepts a generated set, and a process holds only the private keys it was given', () => {
    const keys = generateSigningEnv();
    const own = privateKeyVariable('station-subgraph');
    const config = loadConfig({
      ...production,
      SIGNING_PUBLIC_KEYS: keys.SIGNING_PUBLIC_KEYS!,
      [own]: keys[own]!,
    });
    expect(config.signing.privateKey('station-subgraph')).toBeDefined();
    expect(() => config.signing.privateKey('gateway')).toThrow(/SIGNING_KEY_GATEWAY is not set/);
  });

  it('outside production, derives development keys (so `./gridledger start` needs no set-up)', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    for (const s of SIGNERS) expect(config.signing.privateKey(s)).toBeDefined();
  });
});

describe('npm run env:production and docker-compose.yml', () => {
  it('give each process a valid production configuration holding its own signing key only', async () => {
    const files = productionEnvFiles();
    const compose = await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
    expect(compose).not.toMatch(/NODE_ENV: development/);
    for (const signer of SIGNERS) {
      const names = envFilesOf(compose, PROCESSES[signer].service);
      expect(names).toEqual(['shared.env', `${PROCESSES[signer].service}.env`]);
      const env = Object.assign({}, ...names.map((n) => parseEnv(files[n]!)));
      const config = loadConfig(env);
      expect(config.env).toBe('production');
      expect(config.signing.privateKey(signer)).toBeDefined();
      for (const other of SIGNERS.filter((s) => s !== signer))
        expect(() => config.signing.privateKey(other)).toThrow(/is not set/);
      // Secrets a process does not need stay out of its environment.
      expect(Boolean(env.GRIDLEDGER_ADMIN_PASSWORD)).toBe(signer === 'user-subgraph');
      expect(Boolean(env.SETTLER_PRIVATE_KEY)).toBe(signer === 'settlement-worker');
      expect(Boolean(env.SMTP_URL)).toBe(signer === 'user-subgraph');
    }
    expect(loadConfig(parseEnv(files['shared.env']!)).env).toBe('production');
    expect(parseEnv(files['shared.env']!).DATABASE_URL).toContain(
      parseEnv(files['postgres.env']!).POSTGRES_PASSWORD,
    );
    // Each run makes new secrets.
    expect(productionEnvFiles()['shared.env']).not.toBe(files['shared.env']);
  });
});
