import type { NormalizedStatus } from '../lib/queues.js';

/** OCPP 1.6 ChargePointStatus and 2.0.1 ConnectorStatusEnumType to the platform's status names. */
const STATUS: Record<string, NormalizedStatus> = {
  Available: 'AVAILABLE',
  Preparing: 'PREPARING',
  Charging: 'CHARGING',
  SuspendedEV: 'SUSPENDED_EV',
  SuspendedEVSE: 'SUSPENDED_EVSE',
  Finishing: 'FINISHING',
  Occupied: 'OCCUPIED',
  Reserved: 'RESERVED',
  Unavailable: 'UNAVAILABLE',
  Faulted: 'FAULTED',
};

export const normalizeStatus = (status: string): NormalizedStatus => STATUS[status] ?? 'UNAVAILABLE';
