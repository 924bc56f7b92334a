import { randomInt } from 'node:crypto';
import { Arg, Authorized, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { badInput } from '../../../lib/errors.js';
import type { ChargerCommand } from '../../../lib/charger-commands.js';
import type { StationContext } from '../context.js';
import { ChargerConfiguration, CommandResult, ResetType, TriggerMessageType } from './types/command.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

/** An EVSE number as OCPP commands take it (1–100), else BAD_USER_INPUT naming `field`. */
export const evse = (value: number, field: string) => {
  if (!Number.isInteger(value) || value < 1 || value > 100)
    throw badInput(`${field} must be between 1 and 100`, field);
  return value;
};

/**
 * Remote control of chargers: each mutation reaches the charger through the bridge that holds it
 * and returns the charger's own answer. Operators of the charger's station, and admins.
 * A charger that is not connected gives CHARGER_OFFLINE; one that does not answer, CHARGER_TIMEOUT.
 */
@Resolver()
export class CommandResolver {
  private async send(ctx: StationContext, chargerId: string, command: ChargerCommand) {
    const charger = await ctx.stations.ownedCharger(chargerId);
    return ctx.commands.send(charger.identity, command);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => CommandResult, {
    description:
      'Starts charging on an EVSE for an id token (RemoteStart / RequestStart). BAD_USER_INPUT, and nothing ' +
      'sent, for an EVSE the charger does not have or a token that is unknown, blocked or expired.',
  })
  async startCharging(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('evseId', () => Int, { description: ARG.evseId })
    evseId: number,
    @Arg('idToken', { description: ARG.idToken })
    idToken: string,
    @Ctx() ctx: StationContext,
  ) {
    const token = idToken.trim().toUpperCase();
    if (!/^[A-Z0-9:._-]{1,20}$/.test(token))
      throw badInput('idToken must be 1–20 characters (OCPP idTag)', 'idToken');
    // Checked before anything is sent: the EVSE exists on this charger, the token is known and may charge.
    const charger = await ctx.stations.ownedCharger(chargerId);
    await ctx.stations.requireEvse(charger, evseId);
    // The user subgraph's IdTokenStatus: ACCEPTED, BLOCKED, EXPIRED or INVALID (unknown).
    const { status } = await ctx.idTokenStatus(token);
    if (status === 'INVALID') throw badInput(`idToken ${token} is not known`, 'idToken');
    if (status !== 'ACCEPTED')
      throw badInput(`idToken ${token} is ${status.charAt(0)}${status.slice(1).toLowerCase()}`, 'idToken');
    return ctx.commands.send(charger.identity, {
      type: 'start',
      evseId: evse(evseId, 'evseId'),
      idToken: token,
    });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => CommandResult, {
    description: 'Restarts the charger (1.6 Reset; 2.0.1 Reset OnIdle/Immediate).',
  })
  resetCharger(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('type', () => ResetType, {
      defaultValue: ResetType.SOFT,
      description: 'SOFT: restart the software after ending sessions; HARD: reboot now.',
    })
    type: ResetType,
    @Ctx() ctx: StationContext,
  ) {
    return this.send(ctx, chargerId, { type: 'reset', mode: type === ResetType.HARD ? 'Hard' : 'Soft' });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => CommandResult, { description: 'Releases a stuck cable (UnlockConnector).' })
  unlockConnector(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('evseId', () => Int, { description: ARG.evseId })
    evseId: number,
    @Ctx() ctx: StationContext,
    @Arg('connectorId', () => Int, {
      defaultValue: 1,
      description: 'The connector, by its number on the EVSE (from 1).',
    })
    connectorId: number,
  ) {
    return this.send(ctx, chargerId, {
      type: 'unlock',
      evseId: evse(evseId, 'evseId'),
      connectorId: evse(connectorId, 'connectorId'),
    });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => CommandResult, {
    description: 'Takes an EVSE (or, without evseId, the charger) in or out of service.',
  })
  changeAvailability(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('operative', {
      description: 'true: Operative (may charge); false: Inoperative (takes no new sessions).',
    })
    operative: boolean,
    @Ctx() ctx: StationContext,
    @Arg('evseId', () => Int, {
      nullable: true,
      description: ARG.evseId,
    })
    evseId?: number,
  ) {
    return this.send(ctx, chargerId, {
      type: 'changeAvailability',
      evseId: evseId == null ? null : evse(evseId, 'evseId'),
      operative,
    });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => CommandResult, { description: 'Asks the charger to send a message now (TriggerMessage).' })
  triggerMessage(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('message', () => TriggerMessageType, { description: 'The message the charger should send now.' })
    message: TriggerMessageType,
    @Ctx() ctx: StationContext,
    @Arg('evseId', () => Int, {
      nullable: true,
      description: ARG.evseId,
    })
    evseId?: number,
  ) {
    return this.send(ctx, chargerId, {
      type: 'trigger',
      message,
      evseId: evseId == null ? null : evse(evseId, 'evseId'),
    });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => ChargerConfiguration, {
    description:
      'Reads configuration (1.6 GetConfiguration; 2.0.1 GetVariables, keys as `Component.Variable`).',
  })
  async getChargerConfiguration(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Ctx() ctx: StationContext,
    @Arg('keys', () => [String], {
      nullable: true,
      description: 'Only these configuration keys; none: all the charger reports.',
    })
    keys?: string[],
  ): Promise<ChargerConfiguration> {
    if ((keys ?? []).some((k) => !k || k.length > 100))
      throw badInput('keys must be 1–100 characters', 'keys');
    const result = await this.send(ctx, chargerId, { type: 'getConfiguration', keys: keys ?? [] });
    return { entries: result.configuration ?? [], unknownKeys: result.unknownKeys ?? [] };
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => CommandResult, {
    description:
      'Changes configuration (1.6 ChangeConfiguration; 2.0.1 SetVariables with `Component.Variable`).',
  })
  setChargerConfiguration(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('key', { description: 'The key (1.6) or `Component.Variable` (2.0.1).' }) key: string,
    @Arg('value', { description: 'The new value, as text (OCPP configuration values are strings).' })
    value: string,
    @Ctx() ctx: StationContext,
  ) {
    if (!key || key.length > 100) throw badInput('key must be 1–100 characters', 'key');
    if (value.length > 500) throw badInput('value must be at most 500 characters', 'value');
    return this.send(ctx, chargerId, { type: 'setConfiguration', key, value });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => CommandResult, {
    description:
      'Asks the charger to install firmware downloaded from `location` (an ftp://, http:// or https:// URL) not before `retrieveAt` (UpdateFirmware). Progress arrives as `Charger.firmwareStatus`.',
  })
  updateFirmware(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('location', { description: 'Where the charger downloads the firmware (a URL).' }) location: string,
    @Ctx() ctx: StationContext,
    @Arg('retrieveAt', () => Date, {
      nullable: true,
      description: 'When the charger should fetch it; none: now.',
    })
    retrieveAt?: Date,
  ) {
    return this.send(ctx, chargerId, {
      type: 'updateFirmware',
      requestId: randomInt(1, 2 ** 31 - 1),
      location: uploadUrl(location, 'location'),
      retrieveAt: (retrieveAt ?? new Date()).toISOString(),
    });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => CommandResult, {
    description:
      'Asks the charger to upload its diagnostics log to `location` (1.6 GetDiagnostics; 2.0.1 GetLog DiagnosticsLog); `fileName` is the file it will write when it says. Progress arrives as `Charger.diagnosticsStatus`.',
  })
  requestChargerLogs(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('location', { description: 'Where the charger uploads the log (a URL it can reach).' })
    location: string,
    @Ctx() ctx: StationContext,
  ) {
    return this.send(ctx, chargerId, {
      type: 'uploadLogs',
      requestId: randomInt(1, 2 ** 31 - 1),
      location: uploadUrl(location, 'location'),
    });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => CommandResult, {
    description: 'Clears the charger’s authorization cache (ClearCache): every id token is asked again.',
  })
  clearAuthorizationCache(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Ctx() ctx: StationContext,
  ) {
    return this.send(ctx, chargerId, { type: 'clearCache' });
  }
}

/** A location a charger can reach: ftp(s)://, http(s)://, at most 512 characters (OCPP's limit). */
function uploadUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput(`${field} must be a URL`, field);
  }
  if (!['ftp:', 'ftps:', 'http:', 'https:'].includes(url.protocol) || value.length > 512)
    throw badInput(`${field} must be an ftp(s) or http(s) URL of at most 512 characters`, field);
  return value;
}
