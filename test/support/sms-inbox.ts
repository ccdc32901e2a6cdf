// An HTTP SMS gateway on loopback standing in for the guests' phones: it takes what the http(s) provider
// posts ({id, to, text, sender}), answers with its own message id, and keeps every text by number. Tests
// read one-time codes here, as a guest reads them on the phone: the server itself never shows a code again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InboxSms {
  to: string;
  text: string;
  sender?: string;
}

export interface SmsInbox {
  url: string;
  received: InboxSms[];
  /** the texts a number got, oldest first */
  to(phone: string): string[];
  /** the newest code (4 to 8 digits) in the newest SMS to the number */
  lastCode(phone: string): string;
  /** while set, the gateway answers every SMS with this HTTP status and keeps none (503: down, retried; 400: refused for good) */
  refuseWith: number | null;
  close(): Promise<void>;
}

export async function startSmsInbox(): Promise<SmsInbox> {
  const received: InboxSms[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (inbox.refuseWith !== null) {
        response.writeHead(inbox.refuseWith, { 'content-type': 'text/plain' }).end('gateway unavailable');
        return;
      }
      const sms = JSON.parse(body) as InboxSms;
      received.push({ to: sms.to, text: sms.text, sender: sms.sender });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `inbox-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const to = (phone: string) => received.filter((sms) => sms.to === phone).map((sms) => sms.text);
  const inbox: SmsInbox = {
    url: `http://127.0.0.1:${port}/sms`,
    received,
    to,
    lastCode(phone) {
      const text = to(phone).at(-1);
      const code = text && /(\d{4,8})(?!.*\d{4,8})/.exec(text)?.[1];
      if (!code) throw new Error(`no code was sent to ${phone}: ${JSON.stringify(to(phone))}`);
      return code;
    },
    refuseWith: null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return inbox;
}
