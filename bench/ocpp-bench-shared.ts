/** The one password every benchmark charger uses (the bridge child accepts only `BENCH-*` identities). */
export const BENCH_PASSWORD = 'bench-password-0123456789abcdef';
