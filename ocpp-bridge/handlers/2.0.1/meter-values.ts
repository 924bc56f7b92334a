import type { Handler } from '../context.js';

/**
 * 2.0.1 J01 MeterValues carry no transaction id (transaction samples travel in TransactionEvent), so
 * they only show that the station is alive.
 */
export const meterValues: Handler = () => ({});
