import { registerEnumType } from 'type-graphql';

/** Report buckets, shared by the station, session and energy subgraphs' reports (lib/reports.ts). */
export enum ReportGranularity {
  HOUR = 'HOUR',
  DAY = 'DAY',
  MONTH = 'MONTH',
}
registerEnumType(ReportGranularity, {
  name: 'ReportGranularity',
  description:
    'HOUR: UTC hours (from/to are ISO instants, at most 31 days). DAY and MONTH: local calendar days and months — the station’s, or the community’s (from/to are dates YYYY-MM-DD, `to` exclusive; at most 400 days, or 60 months).',
  valuesConfig: {
    HOUR: { description: 'Per UTC hour.' },
    DAY: { description: 'Per local day.' },
    MONTH: { description: 'Per local month.' },
  },
});
