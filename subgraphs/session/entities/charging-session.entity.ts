import { BigIntType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import type { StoredCostBreakdown } from '../services/pricing.js';
import { SessionStatus } from './enums.js';

/**
 * One charging session. Its natural key is (charger identity, transaction id): the platform assigns
 * 1.6 transaction ids, 2.0.1 chargers assign their own; either way a repeated start finds the row.
 */
@ObjectType({ description: 'A charging session, from start to stop.' })
@Entity({ tableName: 'charging_session' })
@Unique({ properties: ['chargerIdentity', 'transactionId'] })
@Index({ properties: ['userId', 'startedAt'] })
@Index({ properties: ['operatorId', 'startedAt'] })
export class ChargingSession {
  [OptionalProps]?:
    | 'id'
    | 'status'
    | 'stoppedAt'
    | 'meterStopWh'
    | 'energyWh'
    | 'stopReason'
    | 'costMicros'
    | 'lastEnergyAt'
    | 'lastMeterAt'
    | 'powerW'
    | 'soc'
    | 'tariffId'
    | 'idleMinutes'
    | 'costBreakdown'
    | 'settlementRecordId'
    | 'settlementStatus'
    | 'settlementPayer'
    | 'settlementPayee'
    | 'settlementRecordHash'
    | 'settlementTxHash'
    | 'settlementBlock'
    | 'settlementFee'
    | 'settlementFailureReason'
    | 'tokenStatus'
    | 'startInferred'
    | 'meterStartSource'
    | 'anomalies'
    | 'reservationId'
    | 'timezone'
    | 'createdAt';

  @Field(() => ID, { description: "The session's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  chargerId!: string;

  @Field({ description: "The charger's OCPP identity." })
  @Property({ type: 'text' })
  chargerIdentity!: string;

  @Property({ type: 'uuid' })
  stationId!: string;

  /** The station's operator when the session started: the payee of its settlement. */
  @Property({ type: 'uuid' })
  operatorId!: string;

  @Field({ description: 'Transaction id as the charger knows it.' })
  @Property({ type: 'text' })
  transactionId!: string;

  /** 0 while the charger has not said which EVSE (a 2.0.1 Started without `evse`); GraphQL says null. */
  @Property({ type: 'integer' })
  evseId!: number;

  @Field(() => Int, { description: 'The connector (1.6) or EVSE (2.0.1) it ran on.' })
  @Property({ type: 'integer' })
  connectorId!: number;

  /** Exposed through SessionResolver.idToken, which masks it for all but its owner and admins. */
  @Property({ type: 'text', nullable: true })
  idToken!: string | null;

  /** The driver, when the id token belongs to an account. */
  @Property({ type: 'uuid', nullable: true })
  userId!: string | null;

  @Field(() => SessionStatus, {
    description: 'ACTIVE, COMPLETED, or DISPUTED (held for an operator’s decision, not settled).',
  })
  @Enum({ items: () => SessionStatus })
  status: SessionStatus = SessionStatus.ACTIVE;

  @Field({ description: 'When the charger started the transaction.' })
  @Property({ type: 'timestamptz' })
  startedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it stopped; null while active.' })
  @Property({ type: 'timestamptz', nullable: true })
  stoppedAt: Date | null = null;

  @Field(() => Int, { description: 'Energy register at start, Wh.' })
  @Property({ type: 'integer' })
  meterStartWh!: number;

  @Field(() => Int, { nullable: true, description: 'Energy register at stop, Wh.' })
  @Property({ type: 'integer', nullable: true })
  meterStopWh: number | null = null;

  @Field(() => Int, { description: 'Energy delivered so far (or in all, once completed), Wh.' })
  @Property({ type: 'integer' })
  energyWh: number = 0;

  @Field(() => Int, { nullable: true, description: 'Power at the last meter value, W.' })
  @Property({ type: 'integer', nullable: true })
  powerW: number | null = null;

  @Field(() => Int, { nullable: true, description: 'Vehicle state of charge at the last meter value, %.' })
  @Property({ type: 'integer', nullable: true })
  soc: number | null = null;

  @Field(() => Date, { nullable: true, description: 'When the last meter reading arrived.' })
  @Property({ type: 'timestamptz', nullable: true })
  lastMeterAt: Date | null = null;

  /** When the energy register last increased; the start of idle time. */
  @Property({ type: 'timestamptz', nullable: true })
  lastEnergyAt: Date | null = null;

  @Field(() => String, { nullable: true, description: 'Why it stopped (OCPP stop reason), once completed.' })
  @Property({ type: 'text', nullable: true })
  stopReason: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  tariffId: string | null = null;

  /** Total cost in micro-units of `currency`, once completed. */
  @Property({ type: new BigIntType('number'), nullable: true })
  costMicros: number | null = null;

  @Property({ type: 'jsonb', nullable: true })
  costBreakdown: StoredCostBreakdown | null = null;

  @Field({ description: 'ISO 4217 currency of the cost.' })
  @Property({ type: 'text' })
  currency!: string;

  /** The station's IANA time zone when the session started: its local day in reports, its tariff windows. */
  @Property({ type: 'text' })
  timezone: string = 'UTC';

  @Property({ type: 'double', nullable: true })
  idleMinutes: number | null = null;

  /** On-chain settlement: the record number the contract knows this session by, and the outcome. */
  @Property({ type: new BigIntType('string'), nullable: true, unique: true })
  settlementRecordId: string | null = null;

  @Property({ type: 'text', nullable: true })
  settlementStatus: string | null = null;

  @Property({ type: 'text', nullable: true })
  settlementPayer: string | null = null;

  @Property({ type: 'text', nullable: true })
  settlementPayee: string | null = null;

  @Property({ type: 'text', nullable: true })
  settlementRecordHash: string | null = null;

  @Property({ type: 'text', nullable: true })
  settlementTxHash: string | null = null;

  @Property({ type: 'integer', nullable: true })
  settlementBlock: number | null = null;

  @Property({ type: new BigIntType('string'), nullable: true })
  settlementFee: string | null = null;

  @Property({ type: 'text', nullable: true })
  settlementFailureReason: string | null = null;

  /** When the worker last reported on its settlement (the sweeper re-queues a SUBMITTED one left long). */
  @Property({ type: 'timestamptz', nullable: true })
  settlementUpdatedAt: Date | null = null;

  /** The EVSE's highest connector power when the session started, kW (the plausibility bound). */
  @Property({ type: 'double', nullable: true })
  evseMaxPowerKw: number | null = null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why the session is (or was) DISPUTED: the energy the EVSE could not have delivered, or its anomalies.',
  })
  @Property({ type: 'text', nullable: true })
  disputeReason: string | null = null;

  @Field(() => String, {
    nullable: true,
    description: 'How a dispute was resolved: SETTLE (paid as metered) or WRITE_OFF (not charged).',
  })
  @Property({ type: 'text', nullable: true })
  disputeResolution: 'SETTLE' | 'WRITE_OFF' | null = null;

  @Property({ type: 'uuid', nullable: true })
  disputeResolvedBy: string | null = null;

  @Field(() => String, {
    nullable: true,
    description:
      'The id token’s status when the session started (ACCEPTED, INVALID, BLOCKED, EXPIRED); null for a ' +
      'session without a token. A session on a token not ACCEPTED is not billed unless its operator decides ' +
      'so (it ends DISPUTED).',
  })
  @Property({ type: 'text', nullable: true })
  tokenStatus: string | null = null;

  @Field({
    description:
      'True when the platform never received the transaction’s start (OCPP 2.0.1 TransactionEvent Started) ' +
      'and opened it from a later event; its energy counts from the first register reading received.',
  })
  @Property({ type: 'boolean' })
  startInferred: boolean = false;

  /**
   * Where `meterStartWh` comes from: START (the transaction's start message); LOWEST_READING (its start
   * gave none, or never came: the lowest register reading received so far, registers only grow); NONE
   * (no reading yet: `meterStartWh` means nothing).
   */
  @Property({ type: 'text' })
  meterStartSource: 'START' | 'LOWEST_READING' | 'NONE' = 'START';

  @Field(() => [String], {
    description:
      'What is wrong with the session as the charger reported it (an EVSE not registered, another session ' +
      'active on its EVSE, a token not accepted, …). A session with anomalies ends DISPUTED.',
  })
  @Property({ type: 'json' })
  anomalies: string[] = [];

  @Field(() => ID, {
    nullable: true,
    description: 'The reservation the session used (its driver’s, on that EVSE).',
  })
  @Property({ type: 'uuid', nullable: true })
  reservationId: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
