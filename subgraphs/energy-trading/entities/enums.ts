import { registerEnumType } from 'type-graphql';

export enum MeterKind {
  /** Counts what the site's PV (and battery) produce: its `exportWh` register. */
  PRODUCTION = 'PRODUCTION',
  /** Counts what the site consumes: its `importWh` register. */
  CONSUMPTION = 'CONSUMPTION',
  /** The grid connection: `importWh` from the grid, `exportWh` into it. */
  BIDIRECTIONAL = 'BIDIRECTIONAL',
}
registerEnumType(MeterKind, {
  name: 'MeterKind',
  description: 'What a meter measures at its site.',
  valuesConfig: {
    PRODUCTION: { description: 'Counts what the site produces (e.g. rooftop solar).' },
    CONSUMPTION: { description: 'Counts what the site consumes.' },
    BIDIRECTIONAL: { description: 'A grid meter counting import and export.' },
  },
});

export enum OrderSide {
  SELL = 'SELL',
  BUY = 'BUY',
}
registerEnumType(OrderSide, {
  name: 'OrderSide',
  description: 'BUY (a member buying energy) or SELL (a site selling its production).',
  valuesConfig: {
    SELL: { description: 'Offers energy (asks).' },
    BUY: { description: 'Wants energy (bids).' },
  },
});

export enum OrderStatus {
  /** In the book until gate closure. */
  OPEN = 'OPEN',
  CANCELLED = 'CANCELLED',
  FILLED = 'FILLED',
  PARTIALLY_FILLED = 'PARTIALLY_FILLED',
  /** Not matched at clearing: annulled. */
  UNMATCHED = 'UNMATCHED',
}
registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  description: 'Where an order stands in its market interval.',
  valuesConfig: {
    OPEN: { description: 'Waiting for its interval to clear.' },
    CANCELLED: { description: 'Cancelled before gate closure.' },
    FILLED: { description: 'Matched in full.' },
    PARTIALLY_FILLED: { description: 'Matched in part; the rest lapsed.' },
    UNMATCHED: { description: 'Its interval cleared without matching it.' },
  },
});

export enum TradeStatus {
  /** Cleared; delivery not checked yet. */
  MATCHED = 'MATCHED',
  DELIVERED = 'DELIVERED',
  PARTIALLY_DELIVERED = 'PARTIALLY_DELIVERED',
  NOT_DELIVERED = 'NOT_DELIVERED',
}
registerEnumType(TradeStatus, {
  name: 'TradeStatus',
  description: 'Where a matched trade stands: matched, then its delivery checked against the meters.',
  valuesConfig: {
    MATCHED: { description: 'Matched; delivery not checked yet.' },
    DELIVERED: { description: 'The meters show it delivered in full.' },
    PARTIALLY_DELIVERED: { description: 'Delivered in part: the delivered part is payable.' },
    NOT_DELIVERED: { description: 'Nothing delivered: nothing is payable.' },
  },
});

export enum ReadingResolution {
  /** The readings as the meter sent them (registers). */
  RAW = 'RAW',
  /** Energy per market interval of the meter's community. */
  INTERVAL = 'INTERVAL',
  HOUR = 'HOUR',
  DAY = 'DAY',
}
registerEnumType(ReadingResolution, {
  name: 'ReadingResolution',
  description:
    'How meter readings are returned: as sent (RAW), or as energy per market interval, hour or local day.',
  valuesConfig: {
    RAW: { description: 'The readings as submitted.' },
    INTERVAL: { description: 'Energy per market interval.' },
    HOUR: { description: 'Energy per hour.' },
    DAY: { description: 'Energy per day.' },
  },
});
