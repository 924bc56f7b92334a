import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError, ErrorCode } from './errors.js';
import { currentRequestId } from './logger.js';

/** A command for a charger, independent of the OCPP version it speaks; the bridge translates it. */
export type ChargerCommand =
  | { type: 'start'; evseId: number; idToken: string }
  | { type: 'stop'; transactionId: string }
  | { type: 'reset'; mode: 'Soft' | 'Hard' }
  | { type: 'unlock'; evseId: number; connectorId: number }
  | { type: 'changeAvailability'; evseId: number | null; operative: boolean }
  | { type: 'trigger'; message: TriggerableMessage; evseId: number | null }
  | { type: 'getConfiguration'; keys: string[] }
  | { type: 'setConfiguration'; key: string; value: string }
  /** `reservationId`: the OCPP reservation id (an integer both versions share). */
  | { type: 'reserve'; reservationId: number; evseId: number; idToken: string; expiresAt: string }
  | { type: 'cancelReservation'; reservationId: number }
  /** `location`: where the charger downloads the firmware from; `retrieveAt`: not before. */
  | { type: 'updateFirmware'; requestId: number; location: string; retrieveAt: string }
  /** 1.6 GetDiagnostics / 2.0.1 GetLog (DiagnosticsLog): the charger uploads its logs to `location`. */
  | { type: 'uploadLogs'; requestId: number; location: string }
  | { type: 'clearCache' }
  /**
   * A TxDefaultProfile on one EVSE: at most `limitW` from the start of each transaction on it (and of
   * the one in progress), at stack level 1 under id `profileId` (a later one with the same id replaces it).
   */
  | { type: 'setChargingProfile'; evseId: number; limitW: number; profileId: number }
  /** Clears the platform's profiles on one EVSE (or every EVSE: null). */
  | { type: 'clearChargingProfile'; evseId: number | null }
  | { type: 'getCompositeSchedule'; evseId: number; durationSeconds: number }
  /** A local authorization list update; an entry without `status` is removed from the list. */
  | {
      type: 'sendLocalList';
      version: number;
      updateType: 'Full' | 'Differential';
      entries: { idToken: string; status: string | null; expiresAt: string | null }[];
    }
  | { type: 'getLocalListVersion' };

export type TriggerableMessage =
  'BootNotification' | 'Heartbeat' | 'StatusNotification' | 'MeterValues' | 'FirmwareStatusNotification';

export interface ConfigurationEntry {
  key: string;
  value: string | null;
  /** Null where the protocol does not say (2.0.1 GetVariables reports no mutability). */
  readonly: boolean | null;
}

/** The charger's answer, normalized: its status word, and for configuration reads the entries. */
export interface ChargerCommandResult {
  status: string;
  /** uploadLogs: the file name the charger will upload, when it says. */
  fileName?: string | null;
  /** getLocalListVersion: the version of the charger's local list (0: none, -1: not supported, 2.0.1 none). */
  listVersion?: number;
  /** getCompositeSchedule: the periods (seconds from `scheduleStart`) and their limits in W. */
  schedule?: { scheduleStart: string | null; periods: { startPeriod: number; limitW: number }[] } | null;
  configuration?: ConfigurationEntry[];
  unknownKeys?: string[];
}

export interface CommandRequest {
  id: string;
  identity: string;
  command: ChargerCommand;
  replyTo: string;
  timeoutMs: number;
  /** The gateway request that asked for the command, for the bridge's log lines. */
  requestId?: string;
}

export type CommandReply =
  | { id: string; ok: true; result: ChargerCommandResult }
  | {
      id: string;
      ok: false;
      /** BAD_INPUT: the command cannot be said in the charger's protocol; nothing was sent. */
      code: 'CHARGER_OFFLINE' | 'CHARGER_TIMEOUT' | 'CHARGER_REJECTED' | 'BAD_INPUT';
      message: string;
    };

/** Redis names shared by the bridge (which holds chargers) and command clients. */
export const commandChannels = (prefix: string) => ({
  /** Which bridge instance holds a charger's connection (a day-long expiry cleans up after crashes). */
  holderKey: (identity: string) => `${prefix}:ocpp:holder:${identity}`,
  /** Commands for one bridge instance. */
  commands: (instanceId: string) => `${prefix}:ocpp:commands:${instanceId}`,
  /** Replies for one client instance. */
  replies: (clientId: string) => `${prefix}:ocpp:replies:${clientId}`,
});

export const chargerOffline = (identity: string) =>
  new AppError(ErrorCode.CHARGER_OFFLINE, `Charger ${identity} is not connected`);
export const chargerTimeout = (identity: string) =>
  new AppError(ErrorCode.CHARGER_TIMEOUT, `Charger ${identity} did not answer in time`);
export const chargerRejected = (identity: string, message: string) =>
  new AppError(ErrorCode.CHARGER_REJECTED, `Charger ${identity} refused the command: ${message}`);

/**
 * Sends commands to chargers through whichever bridge instance holds them: looks up the holder in
 * Redis, publishes on its channel, and waits for the reply on this client's own channel. Never hangs:
 * no holder → CHARGER_OFFLINE; no answer in time → CHARGER_TIMEOUT.
 */
export class ChargerCommandClient {
  private readonly clientId = randomUUID();
  private readonly pending = new Map<string, (reply: CommandReply) => void>();
  private readonly names: ReturnType<typeof commandChannels>;
  private subscribed: Promise<unknown> | null = null;

  constructor(
    private readonly redis: Redis,
    /** A dedicated connection: a subscribed Redis connection can do nothing else. */
    private readonly subscriber: Redis,
    prefix: string,
    private readonly defaultTimeoutMs = 15_000,
  ) {
    this.names = commandChannels(prefix);
    this.subscriber.on('message', (_channel: string, message: string) => {
      const reply = JSON.parse(message) as CommandReply;
      this.pending.get(reply.id)?.(reply);
    });
  }

  async send(
    identity: string,
    command: ChargerCommand,
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<ChargerCommandResult> {
    this.subscribed ??= this.subscriber.subscribe(this.names.replies(this.clientId));
    await this.subscribed;
    const holder = await this.redis.get(this.names.holderKey(identity));
    if (!holder) throw chargerOffline(identity);
    const request: CommandRequest = {
      id: randomUUID(),
      identity,
      command,
      replyTo: this.names.replies(this.clientId),
      timeoutMs,
      requestId: currentRequestId(),
    };
    const reply = new Promise<CommandReply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(request.id);
        resolve({ id: request.id, ok: false, code: 'CHARGER_TIMEOUT', message: 'no answer' });
      }, timeoutMs + 1000); // the bridge's own timeout answers first; this guards against a dead bridge
      this.pending.set(request.id, (r) => {
        clearTimeout(timer);
        this.pending.delete(request.id);
        resolve(r);
      });
    });
    const receivers = await this.redis.publish(this.names.commands(holder), JSON.stringify(request));
    if (receivers === 0) {
      this.pending.get(request.id)?.({
        id: request.id,
        ok: false,
        code: 'CHARGER_OFFLINE',
        message: 'bridge gone',
      });
    }
    const result = await reply;
    if (result.ok) return result.result;
    if (result.code === 'CHARGER_OFFLINE') throw chargerOffline(identity);
    if (result.code === 'CHARGER_TIMEOUT') throw chargerTimeout(identity);
    if (result.code === 'BAD_INPUT') throw new AppError(ErrorCode.BAD_USER_INPUT, result.message);
    throw chargerRejected(identity, result.message);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
  }
}
