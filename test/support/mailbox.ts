import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  /** The text body, quoted-printable decoded. */
  text: string;
}

/** Undoes quoted-printable (soft line breaks and =XX escapes), which nodemailer uses for long lines. */
const decodeQuotedPrintable = (s: string) =>
  s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/**
 * A real SMTP server in the test process (smtp-server), which keeps what it receives. `next(to)`
 * waits for the next mail to an address.
 */
export async function startMailbox() {
  const received: ReceivedMail[] = [];
  const waiting: { to: string; resolve: (m: ReceivedMail) => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
        const mail: ReceivedMail = {
          to: (session.envelope.rcptTo ?? []).map((r) => r.address.toLowerCase()),
          subject: /^Subject: (.*)$/im.exec(head)?.[1]?.trim() ?? '',
          text: /quoted-printable/i.test(head) ? decodeQuotedPrintable(rest.join('\n\n')) : rest.join('\n\n'),
        };
        received.push(mail);
        for (const w of [...waiting]) {
          if (mail.to.includes(w.to)) {
            waiting.splice(waiting.indexOf(w), 1);
            w.resolve(mail);
          }
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const seen = new Map<string, number>();
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** The next mail to `to` not returned before (waits for it). */
    next(to: string): Promise<ReceivedMail> {
      const address = to.toLowerCase();
      const already = received.filter((m) => m.to.includes(address));
      const index = seen.get(address) ?? 0;
      seen.set(address, index + 1);
      if (already[index]) return Promise.resolve(already[index]);
      return new Promise((resolve) => waiting.push({ to: address, resolve }));
    },
    /** How many mails `to` has had. */
    count: (to: string) => received.filter((m) => m.to.includes(to.toLowerCase())).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token of the first link in a mail (`…?token=…`). */
export function linkToken(mail: ReceivedMail): string {
  const link = /https?:\/\/\S+\?token=([A-Za-z0-9_%-]+)/.exec(mail.text);
  if (!link) throw new Error(`no link in mail "${mail.subject}": ${mail.text}`);
  return decodeURIComponent(link[1]!);
}
