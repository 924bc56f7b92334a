import { registerEnumType } from 'type-graphql';

export enum SessionStatus {
  /** Energy may be flowing; meter values arrive. */
  ACTIVE = 'ACTIVE',
  /** Stopped and priced. */
  COMPLETED = 'COMPLETED',
}
registerEnumType(SessionStatus, { name: 'SessionStatus' });
