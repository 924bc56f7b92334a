import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig, type Config } from '../lib/config.js';

const bridgeSchema = z.object({
  /** Kept well under the process's file-descriptor limit (20000 here), leaving room for Redis and HTTP. */
  OCPP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(18_000),
  /** How long a transaction message may wait for its durable enqueue before the charger is told to retry. */
  OCPP_ENQUEUE_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  OCPP_HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().int().positive().default(300),
  /** lastSeen is written to Redis at most this often per charger. */
  OCPP_LAST_SEEN_THROTTLE_MS: z.coerce.number().int().min(0).default(30_000),
  OCPP_INSTANCE_ID: z.string().optional(),
  /** Every frame in and out is shipped to the message log (the station subgraph stores it): on / off. */
  OCPP_MESSAGE_LOG: z.enum(['on', 'off']).default('on'),
  /** Frames logged per charger per minute; beyond it they are counted, not stored (bounded storage). */
  OCPP_MESSAGE_LOG_PER_CHARGER_PER_MINUTE: z.coerce.number().int().positive().default(120),
  /** PEM files: the bridge's certificate chain and key (profiles 2, 3), the CA of charger certificates (3). */
  OCPP_TLS_CERT_FILE: z.string().optional(),
  OCPP_TLS_KEY_FILE: z.string().optional(),
  OCPP_TLS_CLIENT_CA_FILE: z.string().optional(),
});

/** TLS for security profiles 2 and 3 (PEM contents). */
export interface BridgeTls {
  profile: 2 | 3;
  cert: Buffer;
  key: Buffer;
  /** Profile 3: the CA that signs charger certificates. */
  clientCa?: Buffer;
}

export interface BridgeConfig {
  base: Config;
  port: number;
  maxConnections: number;
  enqueueTimeoutMs: number;
  heartbeatIntervalSeconds: number;
  lastSeenThrottleMs: number;
  instanceId?: string;
  /** Frames per charger per minute shipped to the message log; null: no message log. */
  messageLogPerChargerPerMinute: number | null;
  /** Absent: security profile 1 (ws://). */
  tls?: BridgeTls;
}

/** The bridge's settings on top of the platform's; the environment is read here only. */
export function loadBridgeConfig(source: Record<string, string | undefined> = process.env): BridgeConfig {
  const base = loadConfig(source);
  const parsed = bridgeSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid OCPP bridge configuration: ${problems}`);
  }
  const e = parsed.data;
  let tls: BridgeTls | undefined;
  if (base.ocppSecurityProfile > 1) {
    const need = (name: string, file: string | undefined) => {
      if (!file)
        throw new Error(
          `Invalid OCPP bridge configuration: ${name} is required for OCPP_SECURITY_PROFILE ${base.ocppSecurityProfile}`,
        );
      try {
        return readFileSync(file);
      } catch (err) {
        throw new Error(
          `Invalid OCPP bridge configuration: ${name}: cannot read ${file} (${(err as Error).message})`,
          { cause: err },
        );
      }
    };
    tls = {
      profile: base.ocppSecurityProfile as 2 | 3,
      cert: need('OCPP_TLS_CERT_FILE', e.OCPP_TLS_CERT_FILE),
      key: need('OCPP_TLS_KEY_FILE', e.OCPP_TLS_KEY_FILE),
      clientCa:
        base.ocppSecurityProfile === 3
          ? need('OCPP_TLS_CLIENT_CA_FILE', e.OCPP_TLS_CLIENT_CA_FILE)
          : undefined,
    };
  }
  return {
    base,
    port: base.ports.ocpp,
    maxConnections: e.OCPP_MAX_CONNECTIONS,
    enqueueTimeoutMs: e.OCPP_ENQUEUE_TIMEOUT_MS,
    heartbeatIntervalSeconds: e.OCPP_HEARTBEAT_INTERVAL_SECONDS,
    lastSeenThrottleMs: e.OCPP_LAST_SEEN_THROTTLE_MS,
    instanceId: e.OCPP_INSTANCE_ID,
    messageLogPerChargerPerMinute:
      e.OCPP_MESSAGE_LOG === 'on' ? e.OCPP_MESSAGE_LOG_PER_CHARGER_PER_MINUTE : null,
    tls,
  };
}
