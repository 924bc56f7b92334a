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
registerEnumType(ConnectorType, {
  name: 'ConnectorType',
  description: 'Physical plug standard.',
  valuesConfig: {
    CCS1: { description: 'Combined Charging System, type 1 inlet (DC).' },
    CCS2: { description: 'Combined Charging System, type 2 inlet (DC).' },
    TYPE1: { description: 'SAE J1772 (AC).' },
    TYPE2: { description: 'IEC 62196 Type 2 (AC).' },
    CHADEMO: { description: 'CHAdeMO (DC).' },
    GBT: { description: 'GB/T (China).' },
    NACS: { description: 'North American Charging Standard (SAE J3400).' },
    DOMESTIC: { description: 'A household socket.' },
  },
});
