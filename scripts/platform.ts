import https from 'node:https';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Compiled entry points live in dist/, whether this module runs compiled or from source (tests). */
const DIST = `${fileURLToPath(new URL('..', import.meta.url)).replace(/\/dist\/$/, '/')}dist/`;

/** A port nobody listens on right now. */
/** Whether nothing listens on `port` of 127.0.0.1 right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Ports this process has handed out already: never handed out twice. */
const handedOut = new Set<number>();

/**
 * A port that is free now. Test files run in parallel jest workers, each starting platforms: ports
 * the OS picks (port 0) can be picked again by another worker before the first one binds them, and a
 * platform's health check could then be answered by another platform's process. So under jest each
 * worker takes ports from a range of its own (2,000 ports per worker from 20,000, below the OS's
 * ephemeral range); elsewhere the OS picks.
 */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID);
  if (Number.isInteger(worker) && worker >= 1 && worker <= 6) {
    const from = 20_000 + (worker - 1) * 2_000;
    for (let tries = 0; tries < 200; tries++) {
      const port = from + Math.floor(Math.random() * 2_000);
      if (!handedOut.has(port) && (await isFree(port))) {
        handedOut.add(port);
        return port;
      }
    }
  }
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Environment giving every platform process a free port, for a platform beside a running one. */
export async function freePortsEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  // One after another: a port is free again once its probe closes, so probes in parallel could collide.
  for (const name of [
    'GATEWAY_PORT',
    'USER_SUBGRAPH_PORT',
    'STATION_SUBGRAPH_PORT',
    'SESSION_SUBGRAPH_PORT',
    'OCPP_PORT',
    'SETTLEMENT_WORKER_PORT',
    'ENERGY_SUBGRAPH_PORT',
  ])
    env[name] = String(await freePort());
  return env;
}

/** One supervised process of the platform. */
export interface ServiceSpec {
  name: string;
  /** Compiled entry point, relative to dist/ (or an absolute path). */
  entry: string;
  args?: string[];
  /** URL answered with 200 once the process is up. */
  healthUrl: string;
  /** Instead of the health URL, a probe that says when the process is up. */
  ready?: () => Promise<boolean>;
  env?: Record<string, string>;
}

export interface PlatformOptions {
  env: Record<string, string | undefined>;
  services: ServiceSpec[];
  /** Where child output goes; the default inherits the terminal. Ignored when `output` is given. */
  stdio?: 'inherit' | 'ignore';
  /** Receives every line the processes write (stdout and stderr), with the service's name. */
  output?: (service: string, line: string) => void;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface RunningPlatform {
  stop: () => Promise<void>;
  /** Kills one service (as a crash would) and returns once the supervisor has it healthy again. */
  restart: (name: string, signal?: NodeJS.Signals) => Promise<void>;
  /**
   * Stops one service and keeps it stopped (an outage) until the returned `resume` starts it again;
   * `resume` returns once it is healthy.
   */
  hold: (name: string) => Promise<{ resume: () => Promise<void> }>;
}

/**
 * Whether `healthUrl` answers, and from `child`: every platform process puts its pid in `/health`,
 * so a port another process holds (whose health would answer just as well) fails the start at once.
 */
async function answersAsChild(healthUrl: string, child: ChildProcess): Promise<boolean> {
  const body: { pid?: unknown } | null = healthUrl.startsWith('https:')
    ? await localTlsHealth(healthUrl)
    : await fetch(healthUrl, { signal: AbortSignal.timeout(1000) })
        .then((res) => (res.ok ? (res.json() as Promise<{ pid?: unknown }>).catch(() => ({})) : null))
        .catch(() => null);
  if (!body) return false;
  if (typeof body.pid === 'number' && body.pid !== child.pid)
    throw new Error(`${healthUrl} is answered by another process (pid ${body.pid}): its port is taken`);
  return true;
}

/**
 * `/health` of a child that serves TLS with a certificate the supervisor need not trust (the OCPP
 * bridge under security profile 2 or 3): the pid in the answer says whose it is.
 */
function localTlsHealth(url: string): Promise<{ pid?: unknown } | null> {
  return new Promise((resolve) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(text) as { pid?: unknown }) : null);
        } catch {
          resolve({});
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

async function waitHealthy(spec: ServiceSpec, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`exited with code ${child.exitCode} before becoming healthy`);
    const ok = spec.ready ? await spec.ready() : await answersAsChild(spec.healthUrl, child);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`not healthy at ${spec.healthUrl} after ${timeoutMs} ms`);
}

/**
 * Starts the services in order, each once the previous is healthy, and restarts any that dies
 * (after a short back-off) until `stop()` is called. `stop()` sends SIGTERM and waits for all.
 */
export async function startPlatform(opts: PlatformOptions): Promise<RunningPlatform> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const timeout = opts.startTimeoutMs ?? 60_000;
  const children = new Map<string, ChildProcess>();
  const held = new Set<string>();
  let stopping = false;

  const launch = (spec: ServiceSpec): ChildProcess => {
    const entry = spec.entry.startsWith('/') ? spec.entry : `${DIST}${spec.entry}`;
    const output = opts.output;
    const child = spawn(process.execPath, ['--enable-source-maps', entry, ...(spec.args ?? [])], {
      env: { ...opts.env, ...spec.env } as NodeJS.ProcessEnv,
      stdio: output ? ['ignore', 'pipe', 'pipe'] : (opts.stdio ?? 'inherit'),
    });
    if (output) {
      for (const stream of [child.stdout!, child.stderr!])
        createInterface({ input: stream }).on('line', (line) => output(spec.name, line));
    }
    children.set(spec.name, child);
    child.once('exit', (code, signal) => {
      if (stopping || held.has(spec.name) || children.get(spec.name) !== child) return;
      log(`[platform] ${spec.name} exited (${signal ?? code}); restarting in 1 s`);
      setTimeout(() => {
        if (!stopping) launch(spec);
      }, 1000);
    });
    return child;
  };

  const stop = async () => {
    stopping = true;
    const running = [...children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
    for (const child of running) child.kill('SIGTERM');
    await Promise.all(
      running.map(async (child) => {
        // A process that ignores SIGTERM for 10 s is killed.
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await once(child, 'exit');
        clearTimeout(killer);
      }),
    );
  };

  try {
    for (const spec of opts.services) {
      const child = launch(spec);
      await waitHealthy(spec, child, timeout).catch((err: Error) => {
        throw new Error(`${spec.name}: ${err.message}`);
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    stop,
    restart: async (name, signal = 'SIGKILL') => {
      const spec = opts.services.find((s) => s.name === name);
      const child = children.get(name);
      if (!spec || !child) throw new Error(`unknown service ${name}`);
      child.kill(signal);
      await once(child, 'exit');
      const deadline = Date.now() + timeout;
      while (children.get(name) === child && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      await waitHealthy(spec, children.get(name)!, timeout);
    },
    hold: async (name) => {
      const spec = opts.services.find((s) => s.name === name);
      const child = children.get(name);
      if (!spec || !child) throw new Error(`unknown service ${name}`);
      held.add(name);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      return {
        resume: async () => {
          held.delete(name);
          await waitHealthy(spec, launch(spec), timeout);
        },
      };
    },
  };
}
