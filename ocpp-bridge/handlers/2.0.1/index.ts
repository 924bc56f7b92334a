import type { Handler } from '../context.js';
import { authorize } from './authorize.js';
import { bootNotification } from './boot-notification.js';
import { firmwareStatusNotification } from './firmware-status-notification.js';
import { heartbeat } from './heartbeat.js';
import { logStatusNotification } from './log-status-notification.js';
import { meterValues } from './meter-values.js';
import { notifyEvent } from './notify-event.js';
import { reservationStatusUpdate } from './reservation-status-update.js';
import { securityEventNotification } from './security-event-notification.js';
import { statusNotification } from './status-notification.js';
import { transactionEvent } from './transaction-event.js';

/** OCPP 2.0.1 actions a charging station may send and the bridge takes (the others: NotSupported). */
export const handlers201: Record<string, Handler> = {
  Authorize: authorize,
  BootNotification: bootNotification,
  FirmwareStatusNotification: firmwareStatusNotification,
  Heartbeat: heartbeat,
  LogStatusNotification: logStatusNotification,
  MeterValues: meterValues,
  NotifyEvent: notifyEvent,
  ReservationStatusUpdate: reservationStatusUpdate,
  SecurityEventNotification: securityEventNotification,
  StatusNotification: statusNotification,
  TransactionEvent: transactionEvent,
};
