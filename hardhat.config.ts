import { createRequire } from 'node:module';
import { configVariable, defineConfig } from 'hardhat/config';

const require = createRequire(import.meta.url);

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
  paths: { sources: './contracts', artifacts: './contracts/artifacts', cache: './contracts/cache' },
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
