import { createRequire } from 'node:module';
import { configVariable, defineConfig } from 'hardhat/config';

const require = createRequire(import.meta.url);

/**
 * `npm run coverage:contracts` sets HARDHAT_COVERAGE (Hardhat's env form of `--coverage`). Coverage
 * builds instrumented bytecode; it goes to its own folder under the (git-ignored) cache so that the
 * artifacts the services, tests and deployments load are never the instrumented ones.
 */
const coverage = process.env.HARDHAT_COVERAGE === 'true';

/**
 * Contracts compile offline from the `solc` npm package (same version as `version`): no compiler
 * download. `evmVersion` is pinned to "cancun", which Polygon PoS supports since its Napoli upgrade
 * (2024); newer EVM versions (prague) are not guaranteed there.
 */
export default defineConfig({
  solidity: {
    version: '0.8.37',
    path: require.resolve('solc/soljson.js'),
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' },
  },
  paths: {
    sources: './contracts',
    artifacts: coverage ? './contracts/cache/coverage/artifacts' : './contracts/artifacts',
    cache: coverage ? './contracts/cache/coverage/cache' : './contracts/cache',
    // Solidity tests (fuzzing, invariants) next to the jest contract tests.
    tests: { solidity: './test/contracts' },
  },
  test: { solidity: { fuzz: { runs: 256 }, invariant: { runs: 64, depth: 32 } } },
  networks: {
    localhost: { type: 'http', chainType: 'l1', url: 'http://127.0.0.1:8545' },
    polygonAmoy: {
      type: 'http',
      chainType: 'l1',
      chainId: 80002,
      url: configVariable('POLYGON_AMOY_RPC_URL'),
      accounts: [configVariable('DEPLOYER_PRIVATE_KEY')],
    },
    polygon: {
      type: 'http',
      chainType: 'l1',
      chainId: 137,
      url: configVariable('POLYGON_RPC_URL'),
      accounts: [configVariable('DEPLOYER_PRIVATE_KEY')],
    },
  },
});
