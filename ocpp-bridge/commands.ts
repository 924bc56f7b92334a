import { randomInt } from 'node:crypto';
import ocpp from 'ocpp-rpc';
import type { Redis } from 'ioredis';
import type {
  ChargerCommand,
  ChargerCommandResult,
  CommandReply,
  CommandRequest,
  TriggerableMessage,
} from '../lib/charger-commands.js';
import { commandChannels } from '../lib/charger-commands.js';
import { withLogContext, type Logger } from '../lib/logger.js';
import type { OcppProtocol } from '../lib/queues.js';
import type { BridgeMetrics } from './metrics.js';

/** The part of an ocpp-rpc client that commands need. */
export interface CallableCharger {
  protocol: OcppProtocol;
  call(method: string, params: unknown, options: { callTimeoutMs: number }): Promise<unknown>;
}

/** The answer's shape was checked against the OCPP schema (strict mode) before `normalize` sees it. */
type Call = { method: string; params: unknown; normalize: (answer: never) => ChargerCommandResult };

const plainStatus = (a: { status: string }) => ({ status: a.status });
const TRIGGER_201: Record<TriggerableMessage, string> = {
  BootNotification: 'BootNotification',
  Heartbeat: 'Heartbeat',
  StatusNotification: 'StatusNotification',
  MeterValues: 'MeterValues',
  FirmwareStatusNotification: 'FirmwareStatusNotification',
};

/** Commands whose message is the same in 1.6 and 2.0.1. */
function sameInBoth(c: Extract<ChargerCommand, { type: 'cancelReservation' | 'clearCache' }>): Call {
  return c.type === 'clearCache'
    ? { method: 'ClearCache', params: {}, normalize: plainStatus }
    : { method: 'CancelReservation', params: { reservationId: c.reservationId }, normalize: plainStatus };
}

/** The OCPP 1.6 message for a command. */
function call16(c: ChargerCommand): Call {
  switch (c.type) {
    case 'start':
      return {
        method: 'RemoteStartTransaction',
        params: { connectorId: c.evseId, idTag: c.idToken },
        normalize: plainStatus,
      };
    case 'stop':
      return {
        method: 'RemoteStopTransaction',
        params: { transactionId: Number(c.transactionId) },
        normalize: plainStatus,
      };
    case 'reset':
      return { method: 'Reset', params: { type: c.mode }, normalize: plainStatus };
    case 'unlock':
      return { method: 'UnlockConnector', params: { connectorId: c.evseId }, normalize: plainStatus };
    case 'changeAvailability':
      return {
        method: 'ChangeAvailability',
        params: { connectorId: c.evseId ?? 0, type: c.operative ? 'Operative' : 'Inoperative' },
        normalize: plainStatus,
      };
    case 'trigger':
      return {
        method: 'TriggerMessage',
        params: { requestedMessage: c.message, ...(c.evseId != null ? { connectorId: c.evseId } : {}) },
        normalize: plainStatus,
      };
    case 'getConfiguration':
      return {
        method: 'GetConfiguration',
        params: c.keys.length ? { key: c.keys } : {},
        normalize: (a: {
          configurationKey?: { key: string; value?: string; readonly: boolean }[];
          unknownKey?: string[];
        }) => ({
          status: 'Accepted',
          configuration: (a.configurationKey ?? []).map((k) => ({
            key: k.key,
            value: k.value ?? null,
            readonly: k.readonly,
          })),
          unknownKeys: a.unknownKey ?? [],
        }),
      };
    case 'setConfiguration':
      return {
        method: 'ChangeConfiguration',
        params: { key: c.key, value: c.value },
        normalize: plainStatus,
      };
    case 'reserve':
      return {
        method: 'ReserveNow',
        params: {
          connectorId: c.evseId,
          expiryDate: c.expiresAt,
          idTag: c.idToken,
          reservationId: c.reservationId,
        },
        normalize: plainStatus,
      };
    case 'cancelReservation':
      return sameInBoth(c);
    case 'updateFirmware':
      // 1.6 UpdateFirmware.conf is empty: the charger reports progress in FirmwareStatusNotification.
      return {
        method: 'UpdateFirmware',
        params: { location: c.location, retrieveDate: c.retrieveAt },
        normalize: () => ({ status: 'Accepted' }),
      };
    case 'uploadLogs':
      return {
        method: 'GetDiagnostics',
        params: { location: c.location },
        normalize: (a: { fileName?: string }) => ({ status: 'Accepted', fileName: a.fileName ?? null }),
      };
    case 'clearCache':
      return sameInBoth(c);
    case 'setChargingProfile':
      return {
        method: 'SetChargingProfile',
        params: {
          connectorId: c.evseId,
          csChargingProfiles: {
            chargingProfileId: c.profileId,
            stackLevel: 1,
            chargingProfilePurpose: 'TxDefaultProfile',
            chargingProfileKind: 'Relative',
            chargingSchedule: {
              chargingRateUnit: 'W',
              chargingSchedulePeriod: [{ startPeriod: 0, limit: c.limitW }],
            },
          },
        },
        normalize: plainStatus,
      };
    case 'clearChargingProfile':
      return {
        method: 'ClearChargingProfile',
        params: {
          chargingProfilePurpose: 'TxDefaultProfile',
          stackLevel: 1,
          ...(c.evseId != null ? { connectorId: c.evseId } : {}),
        },
        normalize: plainStatus,
      };
    case 'sendLocalList':
      return {
        method: 'SendLocalList',
        params: {
          listVersion: c.version,
          updateType: c.updateType,
          localAuthorizationList: c.entries.map((e) => ({
            idTag: e.idToken,
            ...(e.status
              ? { idTagInfo: { status: e.status, ...(e.expiresAt ? { expiryDate: e.expiresAt } : {}) } }
              : {}),
          })),
        },
        normalize: plainStatus,
      };
    case 'getLocalListVersion':
      return {
        method: 'GetLocalListVersion',
        params: {},
        normalize: (a: { listVersion: number }) => ({ status: 'Accepted', listVersion: a.listVersion }),
      };
    case 'getCompositeSchedule':
      return {
        method: 'GetCompositeSchedule',
        params: { connectorId: c.evseId, duration: c.durationSeconds, chargingRateUnit: 'W' },
        normalize: (a: {
          status: string;
          scheduleStart?: string;
          chargingSchedule?: {
            chargingRateUnit: string;
            chargingSchedulePeriod: { startPeriod: number; limit: number }[];
          };
        }) => ({
          status: a.status,
          schedule: a.chargingSchedule
            ? {
                scheduleStart: a.scheduleStart ?? null,
                periods: a.chargingSchedule.chargingSchedulePeriod.map((p) => ({
                  startPeriod: p.startPeriod,
                  limitW: p.limit,
                })),
              }
            : null,
        }),
      };
  }
}

/** 2.0.1 device-model keys are written `Component.Variable`, e.g. `OCPPCommCtrlr.HeartbeatInterval`. */
function componentVariable(key: string) {
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1)
    throw new CommandInputError(`2.0.1 keys are "Component.Variable": ${key}`);
  return { component: { name: key.slice(0, dot) }, variable: { name: key.slice(dot + 1) } };
}

/** The OCPP 2.0.1 message for a command. */
function call201(c: ChargerCommand): Call {
  switch (c.type) {
    case 'start':
      return {
        method: 'RequestStartTransaction',
        params: {
          evseId: c.evseId,
          remoteStartId: randomInt(1, 2 ** 31 - 1),
          idToken: { idToken: c.idToken, type: 'Central' },
        },
        normalize: plainStatus,
      };
    case 'stop':
      return {
        method: 'RequestStopTransaction',
        params: { transactionId: c.transactionId },
        normalize: plainStatus,
      };
    case 'reset':
      return {
        method: 'Reset',
        params: { type: c.mode === 'Hard' ? 'Immediate' : 'OnIdle' },
        normalize: plainStatus,
      };
    case 'unlock':
      return {
        method: 'UnlockConnector',
        params: { evseId: c.evseId, connectorId: c.connectorId },
        normalize: plainStatus,
      };
    case 'changeAvailability':
      return {
        method: 'ChangeAvailability',
        params: {
          operationalStatus: c.operative ? 'Operative' : 'Inoperative',
          ...(c.evseId != null && c.evseId > 0 ? { evse: { id: c.evseId } } : {}),
        },
        normalize: plainStatus,
      };
    case 'trigger':
      return {
        method: 'TriggerMessage',
        params: {
          requestedMessage: TRIGGER_201[c.message],
          ...(c.evseId != null ? { evse: { id: c.evseId } } : {}),
        },
        normalize: plainStatus,
      };
    case 'getConfiguration': {
      if (c.keys.length === 0) throw new CommandInputError('2.0.1 stations need the keys to read');
      return {
        method: 'GetVariables',
        params: { getVariableData: c.keys.map(componentVariable) },
        normalize: (a: {
          getVariableResult: {
            attributeStatus: string;
            attributeValue?: string;
            component: { name: string };
            variable: { name: string };
          }[];
        }) => ({
          status: 'Accepted',
          configuration: a.getVariableResult
            .filter((r) => r.attributeStatus === 'Accepted')
            .map((r) => ({
              key: `${r.component.name}.${r.variable.name}`,
              value: r.attributeValue ?? null,
              // GetVariables does not report mutability (a NotifyReport would).
              readonly: null,
            })),
          unknownKeys: a.getVariableResult
            .filter((r) => r.attributeStatus !== 'Accepted')
            .map((r) => `${r.component.name}.${r.variable.name}`),
        }),
      };
    }
    case 'setConfiguration':
      return {
        method: 'SetVariables',
        params: { setVariableData: [{ attributeValue: c.value, ...componentVariable(c.key) }] },
        normalize: (a: { setVariableResult: { attributeStatus: string }[] }) => ({
          status: a.setVariableResult[0]?.attributeStatus ?? 'Rejected',
        }),
      };
    case 'reserve':
      return {
        method: 'ReserveNow',
        params: {
          id: c.reservationId,
          expiryDateTime: c.expiresAt,
          evseId: c.evseId,
          idToken: { idToken: c.idToken, type: 'ISO14443' },
        },
        normalize: plainStatus,
      };
    case 'cancelReservation':
      return sameInBoth(c);
    case 'updateFirmware':
      return {
        method: 'UpdateFirmware',
        params: {
          requestId: c.requestId,
          firmware: { location: c.location, retrieveDateTime: c.retrieveAt },
        },
        normalize: plainStatus,
      };
    case 'uploadLogs':
      return {
        method: 'GetLog',
        params: { logType: 'DiagnosticsLog', requestId: c.requestId, log: { remoteLocation: c.location } },
        normalize: (a: { status: string; filename?: string }) => ({
          status: a.status,
          fileName: a.filename ?? null,
        }),
      };
    case 'clearCache':
      return sameInBoth(c);
    case 'setChargingProfile':
      return {
        method: 'SetChargingProfile',
        params: {
          evseId: c.evseId,
          chargingProfile: {
            id: c.profileId,
            stackLevel: 1,
            chargingProfilePurpose: 'TxDefaultProfile',
            chargingProfileKind: 'Relative',
            chargingSchedule: [
              {
                id: c.profileId,
                chargingRateUnit: 'W',
                chargingSchedulePeriod: [{ startPeriod: 0, limit: c.limitW }],
              },
            ],
          },
        },
        normalize: plainStatus,
      };
    case 'clearChargingProfile':
      return {
        method: 'ClearChargingProfile',
        params: {
          chargingProfileCriteria: {
            chargingProfilePurpose: 'TxDefaultProfile',
            stackLevel: 1,
            ...(c.evseId != null ? { evseId: c.evseId } : {}),
          },
        },
        normalize: plainStatus,
      };
    case 'sendLocalList':
      return {
        method: 'SendLocalList',
        params: {
          versionNumber: c.version,
          updateType: c.updateType,
          localAuthorizationList: c.entries.map((e) => ({
            idToken: { idToken: e.idToken, type: 'ISO14443' },
            ...(e.status
              ? {
                  idTokenInfo: {
                    status: e.status,
                    ...(e.expiresAt ? { cacheExpiryDateTime: e.expiresAt } : {}),
                  },
                }
              : {}),
          })),
        },
        normalize: plainStatus,
      };
    case 'getLocalListVersion':
      return {
        method: 'GetLocalListVersion',
        params: {},
        normalize: (a: { versionNumber: number }) => ({ status: 'Accepted', listVersion: a.versionNumber }),
      };
    case 'getCompositeSchedule':
      return {
        method: 'GetCompositeSchedule',
        params: { evseId: c.evseId, duration: c.durationSeconds, chargingRateUnit: 'W' },
        normalize: (a: {
          status: string;
          schedule?: {
            scheduleStart: string;
            chargingSchedulePeriod: { startPeriod: number; limit: number }[];
          };
        }) => ({
          status: a.status,
          schedule: a.schedule
            ? {
                scheduleStart: a.schedule.scheduleStart,
                periods: a.schedule.chargingSchedulePeriod.map((p) => ({
                  startPeriod: p.startPeriod,
                  limitW: p.limit,
                })),
              }
            : null,
        }),
      };
  }
}

/** A command that cannot be expressed for this charger's protocol. */
export class CommandInputError extends Error {
  override name = 'CommandInputError';
}

/** Translates and sends one command to a connected charger. */
export async function execute(
  charger: CallableCharger,
  command: ChargerCommand,
  timeoutMs: number,
  metrics?: BridgeMetrics,
) {
  const { method, params, normalize } = charger.protocol === 'OCPP16' ? call16(command) : call201(command);
  try {
    const answer = await charger.call(method, params, { callTimeoutMs: timeoutMs });
    metrics?.message(method, 'out', 'ok');
    return normalize(answer as never);
  } catch (err) {
    const code =
      err instanceof ocpp.TimeoutError ? 'Timeout' : (err as { rpcErrorCode?: string }).rpcErrorCode;
    metrics?.message(method, 'out', code ?? 'error');
    throw err;
  }
}

/**
 * The bridge side of remote commands: records in Redis which chargers this instance holds, listens on
 * its own channel, runs each command against the charger and publishes the reply.
 */
export class CommandServer {
  private readonly names: ReturnType<typeof commandChannels>;
  static readonly HOLD_SECONDS = 24 * 3600;

  constructor(
    private readonly opts: {
      instanceId: string;
      redis: Redis;
      subscriber: Redis;
      prefix: string;
      chargers: Map<string, CallableCharger>;
      logger: Logger;
      metrics: BridgeMetrics;
    },
  ) {
    this.names = commandChannels(opts.prefix);
  }

  async start(): Promise<void> {
    await this.opts.subscriber.subscribe(this.names.commands(this.opts.instanceId));
    this.opts.subscriber.on('message', (_channel: string, message: string) => {
      void this.handle(JSON.parse(message) as CommandRequest);
    });
  }

  /**
   * Records that this instance holds the charger. No periodic refresh: if the instance dies, its
   * records point at a channel nobody listens on, and a client's publish reaching no one means
   * CHARGER_OFFLINE. The day-long expiry only cleans up after crashes.
   */
  async hold(identity: string): Promise<void> {
    await this.opts.redis.set(
      this.names.holderKey(identity),
      this.opts.instanceId,
      'EX',
      CommandServer.HOLD_SECONDS,
    );
  }

  /** Forgets a charger, unless another instance has taken it over meanwhile. */
  async release(identity: string): Promise<void> {
    await this.opts.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
      1,
      this.names.holderKey(identity),
      this.opts.instanceId,
    );
  }

  /** Runs one command with the charger's identity and the request id that caused it on every log line. */
  private handle(req: CommandRequest): Promise<void> {
    return withLogContext({ identity: req.identity, requestId: req.requestId }, () => this.run(req));
  }

  private async run(req: CommandRequest): Promise<void> {
    const { metrics } = this.opts;
    const reply = (r: CommandReply) => {
      metrics.command(req.command.type, r.ok ? 'ok' : r.code);
      return this.opts.redis
        .publish(req.replyTo, JSON.stringify(r))
        .catch((err) => this.opts.logger.warn({ err }, 'reply lost'));
    };
    const charger = this.opts.chargers.get(req.identity);
    if (!charger)
      return void reply({ id: req.id, ok: false, code: 'CHARGER_OFFLINE', message: 'not connected' });
    try {
      this.opts.logger.info({ command: req.command.type }, 'sending a remote command');
      const result = await execute(charger, req.command, req.timeoutMs, metrics);
      await reply({ id: req.id, ok: true, result });
    } catch (err) {
      const e = err as { message?: string; rpcErrorCode?: string };
      if (err instanceof ocpp.TimeoutError) {
        await reply({ id: req.id, ok: false, code: 'CHARGER_TIMEOUT', message: 'no answer' });
      } else if (err instanceof CommandInputError) {
        // Nothing reached the charger: the caller's input cannot be said in its protocol.
        await reply({ id: req.id, ok: false, code: 'BAD_INPUT', message: e.message ?? 'invalid command' });
      } else {
        this.opts.logger.info({ err, identity: req.identity }, 'charger refused a command');
        await reply({ id: req.id, ok: false, code: 'CHARGER_REJECTED', message: e.rpcErrorCode ?? 'error' });
      }
    }
  }

  stop(): void {
    this.opts.subscriber.removeAllListeners('message');
  }
}
