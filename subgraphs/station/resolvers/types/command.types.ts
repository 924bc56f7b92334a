import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum ResetType {
  /** Restart gracefully, once no transaction is running (2.0.1 OnIdle). */
  SOFT = 'SOFT',
  /** Restart now, ending transactions (2.0.1 Immediate). */
  HARD = 'HARD',
}
registerEnumType(ResetType, {
  name: 'ResetType',
  description: 'SOFT (restart the software) or HARD (reboot), as OCPP names them.',
  valuesConfig: {
    SOFT: { description: 'Restart the software after ending sessions.' },
    HARD: { description: 'Reboot now.' },
  },
});

export enum TriggerMessageType {
  BOOT_NOTIFICATION = 'BootNotification',
  HEARTBEAT = 'Heartbeat',
  STATUS_NOTIFICATION = 'StatusNotification',
  METER_VALUES = 'MeterValues',
  FIRMWARE_STATUS_NOTIFICATION = 'FirmwareStatusNotification',
}
registerEnumType(TriggerMessageType, {
  name: 'TriggerMessageType',
  description: 'The message a charger is asked to send now (OCPP TriggerMessage).',
  valuesConfig: {
    BOOT_NOTIFICATION: { description: 'BootNotification.' },
    HEARTBEAT: { description: 'Heartbeat.' },
    STATUS_NOTIFICATION: { description: 'StatusNotification.' },
    METER_VALUES: { description: 'MeterValues.' },
    FIRMWARE_STATUS_NOTIFICATION: { description: 'FirmwareStatusNotification.' },
  },
});

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

@ObjectType({ description: "One key of a charger's configuration (OCPP GetConfiguration / GetVariables)." })
export class ConfigurationEntry {
  @Field({ description: '1.6 key, or 2.0.1 `Component.Variable`.' })
  key!: string;

  @Field(() => String, { nullable: true, description: 'Its value; null: the charger did not report one.' })
  value!: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether the charger refuses changes to it; null where the protocol does not say (2.0.1).',
  })
  readonly!: boolean | null;
}

@ObjectType({ description: "A charger's configuration as it answered, and the keys it did not know." })
export class ChargerConfiguration {
  @Field(() => [ConfigurationEntry], { description: 'The keys and values the charger reported.' })
  entries!: ConfigurationEntry[];

  @Field(() => [String], { description: 'Requested keys the charger does not know.' })
  unknownKeys!: string[];
}
