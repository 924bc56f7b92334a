import { type Handler, now } from '../context.js';

/** 1.6 §4.6 Heartbeat: answered with the current time even when nothing downstream is reachable. */
export const heartbeat: Handler = () => ({ currentTime: now() });
