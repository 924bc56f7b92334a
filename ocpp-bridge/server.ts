import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRPCError, RPCServer } from 'ocpp-rpc';
import { createRequire } from 'node:module';
import { withLogContext, type Logger } from '../lib/logger.js';
import type { OcppProtocol } from '../lib/queues.js';
import { replyOrdering } from './call-errors.js';
import { CommandServer, type CallableCharger } from './commands.js';
import type { BridgeTls } from './config.js';
import type { EventSink } from './events.js';
import type { HandlerContext, Handler } from './handlers/context.js';
import { handlers16 } from './handlers/1.6/index.js';
import { handlers201 } from './handlers/2.0.1/index.js';
import type { BridgeMetrics } from './metrics.js';
import type { ChargerAuthenticator, ChargeGuard, IdTokenAuthorizer, ReservationLookup } from './ports.js';
import { actionAwareValidators } from './validators.js';

/** Every action of each protocol, from the schemas ocpp-rpc validates with ("<Action>.req"). */
const schemas = createRequire(import.meta.url);
const actionsOf = (file: string) =>
  new Set(
    (schemas(`ocpp-rpc/lib/schemas/${file}`) as { $id: string }[])
      .map((s) => /^urn:(\w+)\.req$/.exec(s.$id)?.[1])
      .filter((a): a is string => a != null),
  );
const KNOWN_ACTIONS = { OCPP16: actionsOf('ocpp1_6.json'), OCPP201: actionsOf('ocpp2_0_1.json') } as const;

const PROTOCOLS: Record<string, OcppProtocol> = { 'ocpp1.6': 'OCPP16', 'ocpp2.0.1': 'OCPP201' };
const ENDPOINT = '/ocpp';

export interface BridgeServerOptions {
  host: string;
  port: number;
  maxConnections: number;
  heartbeatIntervalSeconds: number;
  authenticator: ChargerAuthenticator;
  idTokens: IdTokenAuthorizer;
  chargeGuard?: ChargeGuard;
  reservations?: ReservationLookup;
  events: EventSink;
  redis: Redis;
  commandSubscriber: Redis;
  prefix: string;
  instanceId?: string;
  logger: Logger;
  metrics: BridgeMetrics;
  /** Where every frame in and out goes (the OCPP message log); absent: nowhere. */
  messageLog?: { record(identity: string, outbound: boolean, frame: string): void };
  /** Security profiles 2 and 3: wss:// with this certificate (3: and a client certificate). */
  tls?: BridgeTls;
  /** Answers `/metrics` on the bridge's HTTP port (unless METRICS_PORT moved it); true when it did. */
  routes: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
}

interface Session {
  chargerId: string;
}

/**
 * The OCPP-J server: `ws://host:port/ocpp/{identity}`, subprotocols ocpp1.6 and ocpp2.0.1, strict
 * schema validation both ways, HTTP Basic auth, a connection cap, and `/health` + `/ready`.
 */
export async function startBridgeServer(opts: BridgeServerOptions) {
  const { logger, metrics } = opts;
  const instanceId = opts.instanceId ?? randomUUID();
  const chargers = new Map<string, CallableCharger & { close: (o?: object) => Promise<unknown> }>();
  let pendingUpgrades = 0;
  const rpc = new RPCServer({
    protocols: Object.keys(PROTOCOLS),
    strictMode: true,
    strictModeValidators: actionAwareValidators(Object.keys(PROTOCOLS)) as never,
    // Handlers' own error messages never reach a charger; only RPC error codes do.
    respondWithDetailedErrors: false,
    callTimeoutMs: 30_000,
    pingIntervalMs: 60_000,
    deferPingsOnActivity: true,
  });
  const commands = new CommandServer({
    instanceId,
    redis: opts.redis,
    subscriber: opts.commandSubscriber,
    prefix: opts.prefix,
    chargers,
    logger,
    metrics,
  });

  rpc.auth(async (accept, reject, handshake) => {
    const { identity } = handshake;
    // ocpp-rpc accepts a client that offers no subprotocol, without validation: refuse it here.
    const protocol = [...handshake.protocols].find((p) => p in PROTOCOLS);
    if (handshake.endpoint !== ENDPOINT) {
      metrics.refused('endpoint');
      return reject(404, 'Not found');
    }
    if (!protocol) {
      metrics.refused('subprotocol');
      return reject(400, 'Offer subprotocol ocpp1.6 or ocpp2.0.1');
    }
    if (chargers.size + pendingUpgrades >= opts.maxConnections) {
      metrics.refused('cap');
      return reject(503, 'Too many connections; retry later');
    }
    // Profile 3: TLS has verified the client certificate against the chargers' CA; it must be this
    // charger's (CN = identity), and then it stands for the password.
    let certificateVerified = false;
    if (opts.tls?.profile === 3) {
      const socket = handshake.request.socket as TLSSocket;
      const cn = socket.authorized ? socket.getPeerCertificate().subject?.CN : undefined;
      if (cn !== identity) {
        metrics.refused('certificate');
        logger.info({ identity, cn, remote: handshake.remoteAddress }, 'charger refused: certificate');
        return reject(401, 'Unauthorized');
      }
      certificateVerified = true;
    }
    pendingUpgrades++;
    try {
      const found = await opts.authenticator.authenticate(identity, handshake.password, {
        certificateVerified,
      });
      if (!found) {
        metrics.refused('auth');
        logger.info({ identity, remote: handshake.remoteAddress }, 'charger refused: bad credentials');
        return reject(401, 'Unauthorized');
      }
      accept({ chargerId: found.chargerId } satisfies Session, protocol);
    } catch (err) {
      metrics.refused('auth_unavailable');
      logger.error({ err, identity }, 'charger authentication unavailable');
      reject(503, 'Authentication unavailable; retry later');
    } finally {
      pendingUpgrades--;
    }
  });

  rpc.on('client', (client) => {
    const identity: string = client.identity;
    const protocol = PROTOCOLS[client.protocol as string]!;
    const session = client.session as Session;
    const previous = chargers.get(identity);
    // OCPP: a new connection of the same identity replaces the old one.
    if (previous) void previous.close({ code: 1000, reason: 'Replaced by a new connection' });
    const held = {
      protocol,
      call: (method: string, params: unknown, options: { callTimeoutMs: number }) =>
        client.call(method, params, options),
      close: (options?: object) => client.close(options),
    };
    chargers.set(identity, held);
    const log = opts.messageLog;
    if (log)
      client.on('message', (m: { message: string | Buffer; outbound: boolean }) =>
        log.record(
          identity,
          m.outbound,
          typeof m.message === 'string' ? m.message : m.message.toString('utf8'),
        ),
      );
    void commands.hold(identity).catch((err) => logger.warn({ err, identity }, 'could not record holder'));
    const ctx: HandlerContext = {
      identity,
      chargerId: session.chargerId,
      protocol,
      events: opts.events,
      idTokens: opts.idTokens,
      chargeGuard: opts.chargeGuard,
      reservations: opts.reservations,
      heartbeatIntervalSeconds: opts.heartbeatIntervalSeconds,
      logger: logger.child({ identity }),
      openTransactions: new Map(),
    };
    // Message ids of the calls being handled now; replies leave in order, with the protocol's codes.
    const inFlight = new Set<string>();
    const sendRaw = client.sendRaw.bind(client) as (frame: string) => void;
    client.sendRaw = replyOrdering(protocol, sendRaw, (id) => inFlight.has(id));
    const table = protocol === 'OCPP16' ? handlers16 : handlers201;
    for (const [action, handler] of Object.entries(table)) {
      client.handle(action, async (call: { params: unknown; messageId: string }) => {
        inFlight.add(call.messageId);
        try {
          return await run(ctx, action, handler, call);
        } finally {
          inFlight.delete(call.messageId);
        }
      });
    }
    // An action of the protocol that the bridge does not take (a CSMS-to-station one, or one not
    // handled yet) is NotSupported, "recognised, not supported"; anything else NotImplemented.
    client.handle(({ method }: { method: string }) => {
      const code = KNOWN_ACTIONS[protocol].has(method) ? 'NotSupported' : 'NotImplemented';
      ctx.logger.debug({ method }, code);
      metrics.message(method, 'in', code);
      throw createRPCError(
        code,
        code === 'NotSupported'
          ? `${method} is not supported here`
          : `${method} is not an action of this protocol`,
      );
    });
    // Calls that break the schema never reach a handler: ocpp-rpc answers them itself.
    client.on('strictValidationFailure', (e: { message?: unknown[]; error?: { rpcErrorCode?: string } }) => {
      const [type, , action] = Array.isArray(e.message) ? e.message : [];
      if (type === 2 && typeof action === 'string')
        metrics.message(action, 'in', e.error?.rpcErrorCode ?? 'ValidationFailed');
    });
    client.on('close', () => {
      if (chargers.get(identity) === held) {
        chargers.delete(identity);
        opts.events.forget(identity);
        void commands.release(identity).catch(() => {});
      }
    });
    opts.events.seen(identity);
  });

  /**
   * Runs a handler with the charger's identity on every log line it causes; unexpected failures
   * become a bare InternalError (no internal text leaves).
   */
  function run(
    ctx: HandlerContext,
    action: string,
    handler: Handler,
    call: { params: unknown; messageId: string },
  ) {
    return withLogContext({ identity: ctx.identity }, async () => {
      ctx.events.seen(ctx.identity);
      try {
        const answer = await handler(ctx, call.params, call.messageId);
        metrics.message(action, 'in', 'ok');
        return answer;
      } catch (err) {
        const code = (err as { rpcErrorCode?: string }).rpcErrorCode;
        metrics.message(action, 'in', code ?? 'InternalError');
        if (code) throw err;
        ctx.logger.error({ err, action }, 'handler failed');
        throw createRPCError('InternalError', 'Internal error');
      }
    });
  }

  const routes = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (await opts.routes(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health' || path === '/ready') {
      const ready = path === '/health' || opts.redis.status === 'ready';
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: ready ? 'ok' : 'unavailable',
          pid: process.pid,
          connections: chargers.size,
          instanceId,
        }),
      );
      return;
    }
    res.writeHead(404).end();
  };
  // OCPP 2.0.1 A00.FR.3xx: TLS 1.2 or above.
  const httpServer = opts.tls
    ? https.createServer(
        {
          cert: opts.tls.cert,
          key: opts.tls.key,
          minVersion: 'TLSv1.2',
          // Profile 3 asks every client for a certificate but lets the handshake finish without one, so
          // that /health answers; a charger's upgrade is refused unless its certificate verified.
          ...(opts.tls.profile === 3
            ? { ca: opts.tls.clientCa, requestCert: true, rejectUnauthorized: false }
            : {}),
        },
        routes,
      )
    : http.createServer(routes);
  httpServer.on('upgrade', rpc.handleUpgrade);
  // Accept errors (EMFILE when file descriptors run out) must not take every charger down with them.
  httpServer.on('error', (err) => logger.error({ err }, 'OCPP HTTP server error'));
  rpc.on('error', (err: Error) => logger.error({ err }, 'OCPP server error'));
  await commands.start();
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port, opts.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  logger.info(
    { port, instanceId, maxConnections: opts.maxConnections, securityProfile: opts.tls?.profile ?? 1 },
    'OCPP bridge listening',
  );

  return {
    port,
    instanceId,
    connections: () => chargers.size,
    connectionsByProtocol: () => {
      const counts: Record<OcppProtocol, number> = { OCPP16: 0, OCPP201: 0 };
      for (const c of chargers.values()) counts[c.protocol]++;
      return counts;
    },
    close: async () => {
      commands.stop();
      await Promise.allSettled([...chargers.keys()].map((identity) => commands.release(identity)));
      await rpc.close({ code: 1001, reason: 'Server shutting down', awaitPending: false });
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
    },
  };
}
