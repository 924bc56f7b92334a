import { registerEnumType } from 'type-graphql';

export enum SessionStatus {
  /** Energy may be flowing; meter values arrive. */
  ACTIVE = 'ACTIVE',
  /** Stopped and priced. */
  COMPLETED = 'COMPLETED',
  /**
   * Stopped and priced, but its energy is more than its EVSE could have delivered in the time (see
   * `disputeReason`): kept out of settlement until its operator or an admin resolves it.
   */
  DISPUTED = 'DISPUTED',
}
registerEnumType(SessionStatus, {
  name: 'SessionStatus',
  description:
    'Where a charging session stands: ACTIVE, COMPLETED (priced), or DISPUTED (held from settlement).',
  valuesConfig: {
    ACTIVE: { description: 'Charging, or plugged in, with the transaction open.' },
    COMPLETED: { description: 'Stopped and priced.' },
    DISPUTED: {
      description: 'Held for its operator: its energy exceeds what its EVSE can deliver in the time.',
    },
  },
});
