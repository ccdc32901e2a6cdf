// A real SMPP 3.4 server on loopback (the `smpp` package) standing in for an operator's SMS centre:
// it accepts a transceiver bind, records every submit_sm with its decoded text, answers with a message
// id and, unless told otherwise, sends a delivery receipt right after. It can be stopped and started
// again on the same port to play a gateway outage, and a phone can reply to the sender (a deliver_sm that is no
// receipt, as an SMS centre forwards a guest's STOP).
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { SmppLibrary, SmppPdu, SmppServer, SmppSession } from '../../src/messaging/providers/smpp.ts';

const smpp = createRequire(import.meta.url)('smpp') as SmppLibrary;

export interface ReceivedSms {
  to: string;
  text: string;
  messageId: string;
}

export interface SmppGateway {
  port: number;
  received: ReceivedSms[];
  /** the submit_sm answer status (0 accepts); e.g. `smppErrors.ESME_RINVDSTADR` refuses for good */
  refuseWith: number;
  /** send a DELIVRD receipt after each accepted submit */
  receipts: boolean;
  /** resolves with the next SMS received (or one already received and not yet taken) */
  nextSms(timeoutMs?: number): Promise<ReceivedSms>;
  /** a phone's reply to the sender's number, delivered to the bound client; resolves when the client answered it */
  reply(from: string, text: string): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export const smppErrors = smpp.errors;

export async function startSmppGateway(credentials = { systemId: 'user', password: 'pass' }): Promise<SmppGateway> {
  let server: SmppServer | null = null;
  let counter = 0;
  const untaken: ReceivedSms[] = [];
  const waiting: ((sms: ReceivedSms) => void)[] = [];
  const deliver = (sms: ReceivedSms) => {
    const wake = waiting.shift();
    if (wake) wake(sms);
    else untaken.push(sms);
  };
  const bound = new Set<SmppSession>();
  const onSession = (session: SmppSession) => {
    session.on('error', () => {});
    session.on('close', () => bound.delete(session));
    session.on('bind_transceiver', (pdu: SmppPdu) => {
      const ok = pdu.system_id === credentials.systemId && pdu.password === credentials.password;
      session.send(pdu.response(ok ? {} : { command_status: smpp.errors.ESME_RBINDFAIL }));
      if (ok) bound.add(session);
    });
    session.on('enquire_link', (pdu: SmppPdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: SmppPdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: SmppPdu) => {
      if (gateway.refuseWith !== 0) {
        session.send(pdu.response({ command_status: gateway.refuseWith }));
        return;
      }
      const messageId = `gw-${++counter}`;
      const body = pdu.short_message as { message: string };
      const sms = { to: String(pdu.destination_addr), text: body.message, messageId };
      gateway.received.push(sms);
      session.send(pdu.response({ message_id: messageId }));
      deliver(sms);
      if (gateway.receipts) {
        setTimeout(() => {
          session.deliver_sm(
            {
              source_addr: sms.to,
              destination_addr: 'Regulars',
              esm_class: 0x04,
              short_message: `id:${messageId} sub:001 dlvrd:001 submit date:2611291200 done date:2611291200 stat:DELIVRD err:000 text:`,
            },
            () => {},
          );
        }, 20);
      }
    });
  };
  const gateway: SmppGateway = {
    port: 0,
    received: [],
    refuseWith: 0,
    receipts: true,
    nextSms(timeoutMs = 15_000) {
      const taken = untaken.shift();
      if (taken) return Promise.resolve(taken);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no SMS reached the gateway within ${timeoutMs} ms`)), timeoutMs);
        waiting.push((sms) => {
          clearTimeout(timer);
          resolve(sms);
        });
      });
    },
    reply(from, text) {
      const [session] = bound;
      if (!session) return Promise.reject(new Error('no client is bound to the SMPP gateway'));
      const gsm = smpp.encodings.ASCII.match(text);
      return new Promise((resolve) =>
        session.deliver_sm({ source_addr: from, destination_addr: 'Regulars', esm_class: 0, data_coding: gsm ? 0 : 8, short_message: { message: text } }, () => resolve()),
      );
    },
    async start() {
      server = smpp.createServer(onSession);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(gateway.port, '127.0.0.1', () => resolve());
      });
      gateway.port = (server.address() as AddressInfo).port;
    },
    async stop() {
      const current = server;
      server = null;
      if (!current) return;
      const closed = new Promise((resolve) => current.close(resolve));
      for (const session of current.sessions) session.destroy();
      await closed;
    },
  };
  await gateway.start();
  return gateway;
}
