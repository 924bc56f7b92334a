import { type Handler, now } from '../context.js';

/** 2.0.1 G02 Heartbeat: always answered with the current time. */
export const heartbeat: Handler = () => ({ currentTime: now() });
