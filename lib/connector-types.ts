import { registerEnumType } from 'type-graphql';

/**
 * Physical plug standards: a station's connectors (station subgraph) and the plugs a vehicle takes
 * (user subgraph). One definition, so both subgraphs compose the same GraphQL enum.
 */
export enum ConnectorType {
  CCS1 = 'CCS1',
  CCS2 = 'CCS2',
  TYPE1 = 'TYPE1',
  TYPE2 = 'TYPE2',
  CHADEMO = 'CHADEMO',
  GBT = 'GBT',
  NACS = 'NACS',
  DOMESTIC = 'DOMESTIC',
}
registerEnumType(ConnectorType, { name: 'ConnectorType', description: 'Physical plug standard.' });
