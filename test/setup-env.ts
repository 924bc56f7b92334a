// Hardhat formats reverts through Error.prepareStackTrace; jest's VM context may not define it.
if (typeof Error.prepareStackTrace !== 'function') {
  Error.prepareStackTrace = (error, stack) => `${error}\n${stack.map((s) => `    at ${s}`).join('\n')}`;
}
process.env.NODE_ENV ??= 'test';
process.env.LOG_LEVEL ??= 'silent';
