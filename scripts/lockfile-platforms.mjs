// The npm registry reachable from our build machines serves only the linux-x64 builds of packages
// with native binaries (@swc/core, Hardhat's EDR, msgpackr-extract, …). npm then leaves the other
// platforms' optional packages out of package-lock.json, and `npm ci` refuses that lock file. This
// adds each missing one back as an optional, platform-gated entry (never installed on a machine of
// another platform). Run `npm run lock:platforms` after changing dependencies; `--check` (CI) only
// reports.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = [
  'openharmony',
  'darwin',
  'win32',
  'linux',
  'freebsd',
  'android',
  'sunos',
  'openbsd',
  'netbsd',
  'aix',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];
const check = process.argv.includes('--check');
const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const missing = [];

for (const [location, meta] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ''}node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
    const parts = name.split(/[/-]/);
    const entry = { version, optional: true };
    const os = parts.find((p) => OS.includes(p));
    const cpu = parts.find((p) => CPU.includes(p));
    if (os) entry.os = [os];
    if (cpu) entry.cpu = [cpu];
    if (parts.some((p) => p.startsWith('musl'))) entry.libc = ['musl'];
    else if (parts.some((p) => p === 'gnu' || p === 'gnueabihf')) entry.libc = ['glibc'];
    if (!os && !cpu) continue; // not a platform build: a real omission that npm must resolve
    missing.push(name);
    lock.packages[`node_modules/${name}`] = entry;
  }
}

if (check) {
  if (missing.length) {
    console.error(
      `package-lock.json lacks ${missing.length} platform packages (${missing.slice(0, 3).join(', ')}…):`,
    );
    console.error('run `npm run lock:platforms` and commit package-lock.json');
    process.exit(1);
  }
} else {
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`package-lock.json: added ${missing.length} platform-gated optional packages`);
}
