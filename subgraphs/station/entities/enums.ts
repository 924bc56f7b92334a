import { registerEnumType } from 'type-graphql';

// Shared with the user subgraph (a vehicle's plugs), so it is defined once, in lib/.
export { ConnectorType } from '../../../lib/connector-types.js';

/** OCPP 1.6 ChargePointStatus and 2.0.1 ConnectorStatusEnumType, merged; UNKNOWN until the charger reports. */
export enum ChargerStatus {
  UNKNOWN = 'UNKNOWN',
  AVAILABLE = 'AVAILABLE',
  PREPARING = 'PREPARING',
  CHARGING = 'CHARGING',
  SUSPENDED_EV = 'SUSPENDED_EV',
  SUSPENDED_EVSE = 'SUSPENDED_EVSE',
  FINISHING = 'FINISHING',
  OCCUPIED = 'OCCUPIED',
  RESERVED = 'RESERVED',
  UNAVAILABLE = 'UNAVAILABLE',
  FAULTED = 'FAULTED',
}
registerEnumType(ChargerStatus, {
  name: 'ChargerStatus',
  description: 'Status as last reported over OCPP.',
  valuesConfig: {
    UNKNOWN: { description: 'Never reported.' },
    AVAILABLE: { description: 'Free to charge.' },
    PREPARING: { description: 'A driver is starting: plugged in or authorised, not charging yet.' },
    CHARGING: { description: 'Delivering energy.' },
    SUSPENDED_EV: { description: 'A session is on, but the vehicle takes no energy.' },
    SUSPENDED_EVSE: { description: 'A session is on, but the charger offers no energy.' },
    FINISHING: { description: 'The session ended; the vehicle is still plugged in.' },
    OCCUPIED: { description: 'In use (2.0.1, which does not tell the phases above apart).' },
    RESERVED: { description: 'Held for a reservation.' },
    UNAVAILABLE: { description: 'Out of service (Inoperative, or in maintenance).' },
    FAULTED: { description: 'Out of order with a fault.' },
  },
});

export enum OcppProtocol {
  OCPP16 = 'OCPP16',
  OCPP201 = 'OCPP201',
}
registerEnumType(OcppProtocol, {
  name: 'OcppProtocol',
  description: 'The OCPP version a charger speaks.',
  valuesConfig: {
    OCPP16: { description: 'OCPP 1.6 JSON (ocpp1.6).' },
    OCPP201: { description: 'OCPP 2.0.1 (ocpp2.0.1).' },
  },
});
