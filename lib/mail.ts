import nodemailer from 'nodemailer';
import type { Logger } from './logger.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends the platform's mail (account verification, password reset, security notices). */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/**
 * Mail over SMTP (`smtpUrl`, e.g. `smtps://user:pass@mail.example.org`), through nodemailer; without
 * one, each mail is written to the log instead (development: follow the links from there). The
 * caller decides whether a missing SMTP server is acceptable (production refuses to start).
 */
export function createMailer(opts: { smtpUrl: string | null; from: string; logger: Logger }): Mailer {
  if (!opts.smtpUrl) {
    return {
      send: async (mail) => opts.logger.info({ mail }, 'mail not sent (SMTP_URL unset): written here'),
      close: () => {},
    };
  }
  const transport = nodemailer.createTransport(opts.smtpUrl);
  return {
    send: async (mail) => {
      await transport.sendMail({ from: opts.from, ...mail });
    },
    close: () => transport.close(),
  };
}
