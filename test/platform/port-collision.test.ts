import { createServer } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform } from '../../scripts/platform.js';

it('a start whose health check another process answers (its port is taken) fails at once, naming it', async () => {
  // Another platform's process on the port: it answers /health as every platform process does.
  const foreign = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', pid: 1 }));
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  const { port } = foreign.address() as AddressInfo;
  // Our process never gets the port (it only idles), as when its listen fails.
  const dir = await mkdtemp(join(tmpdir(), 'gridledger-collision-'));
  const entry = join(dir, 'idle.mjs');
  await writeFile(entry, 'setInterval(() => {}, 1000);\n');
  const started = Date.now();
  try {
    await expect(
      startPlatform({
        env: { PATH: process.env.PATH ?? '' },
        services: [{ name: 'idle', entry, healthUrl: `http://127.0.0.1:${port}/health` }],
        stdio: 'ignore',
        log: () => {},
      }),
    ).rejects.toThrow(/answered by another process \(pid 1\): its port is taken/);
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    foreign.close();
  }
});
