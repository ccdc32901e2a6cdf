// The guest's phone for the demo and the tests: an SMPP server on loopback that the Regulars server sends its
// SMS to (`REGULARS_SMS_URL=smpp://user:pass@127.0.0.1:PORT?source=Regulars`). It accepts every message and
// keeps it, so the cashier can be told the code the guest "read" on their phone.

import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';

// The few parts of the `smpp` package (it ships no types) that a phone answering as an SMS centre uses.
interface SmppPdu {
  readonly [field: string]: unknown;
  response(fields?: Record<string, unknown>): SmppPdu;
}

interface SmppSession {
  send(pdu: SmppPdu): boolean;
  close(): void;
  destroy(): void;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: string, listener: (pdu: SmppPdu) => void): this;
}

interface SmppServer extends Server {
  readonly sessions: SmppSession[];
}

interface SmppLibrary {
  createServer(listener: (session: SmppSession) => void): SmppServer;
  readonly errors: Readonly<Record<string, number>>;
}

const smpp = createRequire(import.meta.url)('smpp') as SmppLibrary;

export interface ReceivedSms {
  to: string;
  text: string;
  at: Date;
}

export interface SmsPhone {
  port: number;
  /** the `REGULARS_SMS_URL` that makes a server send here */
  smsUrl: string;
  messages: ReceivedSms[];
  /** Waits for the first message to the phone after the first `since` messages; its last run of 4–8 digits is the code. */
  waitForCode(phone: string, since: number, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

function messageText(pdu: SmppPdu): string {
  const message = pdu.short_message as unknown;
  if (typeof message === 'string') return message;
  if (Buffer.isBuffer(message)) return message.toString('utf8');
  if (typeof message === 'object' && message !== null) {
    const inner = (message as { message?: unknown }).message;
    if (typeof inner === 'string') return inner;
    if (Buffer.isBuffer(inner)) return inner.toString('utf8');
  }
  return '';
}

const digitsOnly = (phone: string) => phone.replace(/\D/g, '').replace(/^8(\d{10})$/, '7$1');

export async function startSmsPhone(options: { port?: number; systemId?: string; password?: string } = {}): Promise<SmsPhone> {
  const systemId = options.systemId ?? 'regulars';
  const password = options.password ?? 'regulars';
  const messages: ReceivedSms[] = [];
  const waiters = new Set<() => void>();
  let messageNumber = 0;

  const server: SmppServer = smpp.createServer((session: SmppSession) => {
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu) => {
      const ok = pdu.system_id === systemId && pdu.password === password;
      session.send(pdu.response(ok ? {} : { command_status: smpp.errors.ESME_RBINDFAIL }));
    });
    session.on('submit_sm', (pdu) => {
      messageNumber += 1;
      messages.push({ to: digitsOnly(String(pdu.destination_addr ?? '')), text: messageText(pdu), at: new Date() });
      session.send(pdu.response({ message_id: `phone-${messageNumber}` }));
      for (const wake of [...waiters]) wake();
    });
    session.on('enquire_link', (pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu) => {
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    smsUrl: `smpp://${encodeURIComponent(systemId)}:${encodeURIComponent(password)}@127.0.0.1:${port}?source=Regulars`,
    messages,
    waitForCode(phone, since, timeoutMs = 15_000) {
      const wanted = digitsOnly(phone);
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const message = messages.slice(since).find((candidate) => candidate.to === wanted);
          const code = message ? /(\d{4,8})(?!.*\d{4,8})/.exec(message.text)?.[1] : undefined;
          if (!code) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(code);
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no SMS with a code reached ${wanted} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const session of server.sessions) session.destroy();
      await closed;
    },
  };
}
