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
registerEnumType(ChargerStatus, { name: 'ChargerStatus', description: 'Status as last reported over OCPP.' });

export enum OcppProtocol {
  OCPP16 = 'OCPP16',
  OCPP201 = 'OCPP201',
}
registerEnumType(OcppProtocol, { name: 'OcppProtocol', description: 'The OCPP version a charger speaks.' });
