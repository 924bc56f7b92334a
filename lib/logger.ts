import { pino, type Logger } from 'pino';

export type { Logger };

/** A structured JSON logger named after the process or component that owns it. */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino({
    name,
    level,
    base: { svc: name },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'],
      remove: true,
    },
  });
}
