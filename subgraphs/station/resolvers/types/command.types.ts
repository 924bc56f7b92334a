import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum ResetType {
  /** Restart gracefully, once no transaction is running (2.0.1 OnIdle). */
  SOFT = 'SOFT',
  /** Restart now, ending transactions (2.0.1 Immediate). */
  HARD = 'HARD',
}
registerEnumType(ResetType, { name: 'ResetType' });

export enum TriggerMessageType {
  BOOT_NOTIFICATION = 'BootNotification',
  HEARTBEAT = 'Heartbeat',
  STATUS_NOTIFICATION = 'StatusNotification',
  METER_VALUES = 'MeterValues',
  FIRMWARE_STATUS_NOTIFICATION = 'FirmwareStatusNotification',
}
registerEnumType(TriggerMessageType, { name: 'TriggerMessageType' });

@ObjectType({
  description: 'The charger’s answer to a remote command (its OCPP status word, e.g. Accepted).',
})
export class CommandResult {
  @Field({ description: 'The charger’s answer (Accepted, Rejected, …).' })
  status!: string;

  @Field(() => String, {
    nullable: true,
    description: 'requestChargerLogs: the file the charger will upload.',
  })
  fileName?: string | null;
}

@ObjectType()
export class ConfigurationEntry {
  @Field({ description: '1.6 key, or 2.0.1 `Component.Variable`.' })
  key!: string;

  @Field(() => String, { nullable: true })
  value!: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether the charger refuses changes to it; null where the protocol does not say (2.0.1).',
  })
  readonly!: boolean | null;
}

@ObjectType()
export class ChargerConfiguration {
  @Field(() => [ConfigurationEntry])
  entries!: ConfigurationEntry[];

  @Field(() => [String], { description: 'Requested keys the charger does not know.' })
  unknownKeys!: string[];
}
