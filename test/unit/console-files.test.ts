import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { CONTENT_SECURITY_POLICY, IDE_CONTENT_SECURITY_POLICY, serveConsole } from '../../gateway/console.js';

/** The gateway's static routes over a built console of two pages and one asset. */
describe('the console and IDE routes (gateway/console.ts)', () => {
  let dir: string;
  const servers: http.Server[] = [];
  beforeAll(async () => {
    dir = `${await mkdtemp(`${tmpdir()}/console-`)}/`;
    await mkdir(`${dir}assets`);
    await writeFile(`${dir}index.html`, '<html>console</html>');
    await writeFile(`${dir}graphiql.html`, '<html>ide</html>');
    await writeFile(`${dir}assets/app-1.js`, 'export {}');
    await writeFile(`${dir}secret.txt`, 'not served');
  });
  afterAll(async () => {
    servers.forEach((s) => s.close());
    await rm(dir, { recursive: true });
  });

  /** A server answering with serveConsole (the API's 404 for anything it does not take). */
  async function serve(ide: boolean) {
    const route = serveConsole({ dir, ide, logger: pino({ level: 'silent' }) });
    const server = http.createServer(async (req, res) => {
      if (!(await route(req, res))) res.writeHead(418).end('api');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('serves the console and its assets under the strict policy; nothing else from the folder', async () => {
    const url = await serve(true);
    const page = await fetch(`${url}/`);
    expect([page.status, await page.text()]).toEqual([200, '<html>console</html>']);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|data:|https?:/);
    const js = await fetch(`${url}/assets/app-1.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    // Nothing but index.html and assets/: other files, dot segments (raw or encoded), missing assets.
    for (const path of [
      '/secret.txt',
      '/assets/../secret.txt',
      '/assets/%2e%2e%2fsecret.txt',
      '/assets/missing.js',
    ]) {
      const res = await fetch(`${url}${path}`);
      expect([path, res.status === 200 || (await res.text()) === 'not served']).toEqual([path, false]);
    }
  });

  it('shows the IDE to a browser’s GET /graphql only when enabled; API clients always reach the API', async () => {
    const on = await serve(true);
    const browser = { headers: { accept: 'text/html,application/xhtml+xml' } };
    const ide = await fetch(`${on}/graphql`, browser);
    expect(await ide.text()).toBe('<html>ide</html>');
    expect(ide.headers.get('content-security-policy')).toBe(IDE_CONTENT_SECURITY_POLICY);
    expect(IDE_CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect((await fetch(`${on}/graphql`, { headers: { accept: 'application/json' } })).status).toBe(418);
    expect((await fetch(`${on}/graphql`, { ...browser, method: 'POST', body: '{}' })).status).toBe(418);
    const off = await serve(false);
    expect((await fetch(`${off}/graphql`, browser)).status).toBe(418);
  });
});
