// `smpp://system_id:password@host:port?source=NAME` — an SMPP 3.4 transceiver (the `smpp` package).
// One bound session is kept open with enquire_link; when it drops, it is re-established with exponential
// backoff and sends answer `retry` meanwhile. Texts go as GSM 03.38 (data_coding 0) when every character
// fits, UCS-2 (data_coding 8) otherwise, split into UDH-concatenated parts when too long for one SMS.
// Delivery receipts (deliver_sm) reach the listeners; for a split text, one receipt per message. Any other
// deliver_sm is a text a guest sent to the sender's number, handed to the incoming-SMS listeners.

import { createRequire } from 'node:module';
import { randomInt } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import {
  DEFAULT_TIMEOUT_MS,
  errorText,
  ReceiptListeners,
  SILENT_LOGGER,
  type DeliveryReceipt,
  type IncomingSms,
  type OutgoingSms,
  type ProviderLogger,
  type ProviderOptions,
  type SendOutcome,
  type SmsProvider,
} from './types.ts';

// ---------------------------------------------------------------------------------------------------
// The parts of the untyped `smpp` package this code uses

export interface SmppPdu {
  readonly command: string;
  readonly command_status: number;
  readonly sequence_number: number;
  readonly [field: string]: unknown;
  response(fields?: Record<string, unknown>): SmppPdu;
}

export interface SmppSession {
  readonly socket: Socket;
  send(pdu: SmppPdu, onResponse?: (response: SmppPdu) => void): boolean;
  bind_transceiver(fields: Record<string, unknown>, onResponse: (response: SmppPdu) => void): boolean;
  submit_sm(fields: Record<string, unknown>, onResponse: (response: SmppPdu) => void): boolean;
  deliver_sm(fields: Record<string, unknown>, onResponse: (response: SmppPdu) => void): boolean;
  enquire_link(fields: Record<string, unknown>, onResponse: (response: SmppPdu) => void): boolean;
  unbind(fields: Record<string, unknown>, onResponse: (response: SmppPdu) => void): boolean;
  close(onClosed?: () => void): void;
  destroy(onClosed?: () => void): void;
  on(event: 'connect' | 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: string, listener: (pdu: SmppPdu) => void): this;
}

export interface SmppServer extends Server {
  readonly sessions: SmppSession[];
}

export interface SmppLibrary {
  connect(options: { host: string; port: number }): SmppSession;
  createServer(listener: (session: SmppSession) => void): SmppServer;
  readonly errors: Readonly<Record<string, number>>;
  readonly encodings: { readonly ASCII: { match(text: string): boolean } };
  readonly gsmCoder: { encode(text: string, table: number): Buffer };
}

const smpp = createRequire(import.meta.url)('smpp') as SmppLibrary;

// ---------------------------------------------------------------------------------------------------
// Constants from SMPP 3.4

const INTERFACE_VERSION_3_4 = 0x34;
const TON_INTERNATIONAL = 1;
const TON_ALPHANUMERIC = 5;
const NPI_ISDN = 1;
const NPI_UNKNOWN = 0;
const DATA_CODING_DEFAULT_GSM = 0;
const DATA_CODING_UCS2 = 8;
const ESM_CLASS_UDH_INDICATOR = 0x40;
const ESM_CLASS_MESSAGE_TYPE = 0x3c;
const ESM_CLASS_DELIVERY_RECEIPT = 0x04;
const REGISTERED_DELIVERY_FINAL = 1;
const GSM_ESCAPE = 0x1b;

/** Answers that mean "not now": retried after the given pause. Every other error status is final. */
const RETRY_AFTER_MS_BY_STATUS = new Map<number, number>([
  [smpp.errors.ESME_RTHROTTLED, 1_000],
  [smpp.errors.ESME_RMSGQFUL, 5_000],
]);

const STATUS_NAMES = new Map(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

/** Receipt states: final ones map to a status, intermediate ones (ENROUTE, ACCEPTD, …) are not reported. */
const FINAL_STATES: Readonly<Record<string, DeliveryReceipt['status']>> = {
  DELIVRD: 'delivered',
  UNDELIV: 'failed',
  REJECTD: 'failed',
  EXPIRED: 'failed',
  DELETED: 'failed',
  UNKNOWN: 'failed',
};
/** The message_state TLV (SMPP 3.4 §5.3.2.35) for receipts that carry it without a `stat:` text. */
const MESSAGE_STATE_NAMES: Readonly<Record<number, string>> = { 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 7: 'UNKNOWN', 8: 'REJECTD' };

const SPLIT_TEXT_RECEIPT_TTL_MS = 7 * 24 * 3600 * 1000;

// ---------------------------------------------------------------------------------------------------
// Encoding and splitting

export interface SmsParts {
  readonly dataCoding: number;
  /** Encoded payloads, each with its UDH when the text is split. */
  readonly payloads: readonly Buffer[];
}

/**
 * GSM 03.38 (one octet per septet, extension characters take two) when every character fits: 160
 * septets in one SMS, 153 per part when split. Otherwise UCS-2: 70 characters, 67 per part.
 * A part never ends inside an escape sequence or a surrogate pair.
 */
export function splitSms(text: string, reference: number): SmsParts {
  const gsm = !text.includes('\x1b') && smpp.encodings.ASCII.match(text);
  const encoded = gsm ? smpp.gsmCoder.encode(text, 0) : utf16be(text);
  const single = gsm ? 160 : 140;
  const perPart = gsm ? 153 : 134;
  const dataCoding = gsm ? DATA_CODING_DEFAULT_GSM : DATA_CODING_UCS2;
  if (encoded.length <= single) return { dataCoding, payloads: [encoded] };
  const chunks: Buffer[] = [];
  for (let start = 0; start < encoded.length; ) {
    let end = Math.min(start + perPart, encoded.length);
    if (end < encoded.length) {
      if (gsm && encoded[end - 1] === GSM_ESCAPE) end -= 1;
      if (!gsm && isHighSurrogate(encoded.readUInt16BE(end - 2))) end -= 2;
    }
    chunks.push(encoded.subarray(start, end));
    start = end;
  }
  const header = (index: number) => Buffer.from([0x05, 0x00, 0x03, reference & 0xff, chunks.length, index + 1]);
  return { dataCoding, payloads: chunks.map((chunk, index) => Buffer.concat([header(index), chunk])) };
}

function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

function isHighSurrogate(codeUnit: number): boolean {
  return codeUnit >= 0xd800 && codeUnit <= 0xdbff;
}

// ---------------------------------------------------------------------------------------------------
// Where the gateway is

export interface SmppOptions extends ProviderOptions {
  /** enquire_link period while bound; 30 s by default. */
  enquireLinkIntervalMs?: number;
  /** First reconnection delay, doubled after every failed attempt up to `maxReconnectDelayMs`; 1 s by default. */
  reconnectDelayMs?: number;
  /** 30 s by default. */
  maxReconnectDelayMs?: number;
}

interface SmppAddress {
  host: string;
  port: number;
  systemId: string;
  password: string;
  source: string;
}

export function parseSmppUrl(url: URL): SmppAddress {
  const systemId = decodeURIComponent(url.username);
  if (!url.hostname || !systemId) throw new TypeError('an SMPP URL reads smpp://system_id:password@host:port?source=NAME');
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 2775,
    systemId,
    password: decodeURIComponent(url.password),
    source: url.searchParams.get('source') ?? '',
  };
}

/** The gateway as logs name it: no password. */
function gatewayFields(address: SmppAddress): object {
  return { host: address.host, port: address.port, systemId: address.systemId };
}

// ---------------------------------------------------------------------------------------------------
// The session, a small state machine
//
//                bind accepted
//   connecting ─────────────────▶ bound
//      ▲     │                      │
//      │     └── session ended ─────┴──▶ disconnected
//      └──────────── reconnect due ──────────┘
//   close: any state ──▶ closed (a bound session is unbound first; the TCP session is destroyed)
//
// A refused or unanswered bind, an unanswered enquire_link, a socket error and the gateway's unbind each
// record why and end the TCP session; its `close` event is the one "session ended" event, so there is a
// single way to reconnection, whose delay doubles with every session ended since the last bind.

interface SessionSettings {
  readonly timeoutMs: number;
  readonly enquireLinkIntervalMs: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
}

/** Each state holds what exists only while it lasts; leaving it stops its timers. */
type SessionState =
  | { readonly name: 'connecting'; readonly session: SmppSession; readonly bindTimer: NodeJS.Timeout }
  | { readonly name: 'bound'; readonly session: SmppSession; readonly stopEnquireLinks: () => void }
  | { readonly name: 'disconnected'; readonly reconnectAt: number; readonly reconnectTimer: NodeJS.Timeout }
  | { readonly name: 'closed' };

/** `written`: the submit_sm had left when its answer failed to come, so the gateway may have taken it. */
type SubmitAnswer = { status: number; messageId: string } | { lost: string; written: boolean };

class SmppSessionMachine {
  private state: SessionState;
  /** why the last session ended or was not bound: the error of the `retry` answers meanwhile */
  private lastError = 'not connected yet';
  /** sessions ended since the last bind, for the backoff */
  private failedAttempts = 0;
  private readonly submitsInFlight = new Set<(answer: SubmitAnswer) => void>();
  private readonly transitionWaiters = new Set<() => void>();

  constructor(
    private readonly address: SmppAddress,
    private readonly settings: SessionSettings,
    private readonly logger: ProviderLogger,
    /** a deliver_sm, already answered */
    private readonly onDeliverSm: (pdu: SmppPdu) => void,
  ) {
    this.state = this.connect();
  }

  /** Waits while a session is being connected and bound, until the deadline at the latest. */
  async waitWhileConnecting(deadline: number): Promise<void> {
    while (this.state.name === 'connecting' && Date.now() < deadline) await this.nextTransition(deadline);
  }

  /** The answer to a send while not bound (when to try again, and why), or null when bound. */
  notBoundOutcome(): SendOutcome | null {
    switch (this.state.name) {
      case 'bound':
        return null;
      case 'closed':
        return { kind: 'retry', error: 'SMS provider is closed' };
      default: {
        const retryAfterMs = this.state.name === 'disconnected' ? Math.max(0, this.state.reconnectAt - Date.now()) : 0;
        return { kind: 'retry', error: `SMPP gateway not connected: ${this.lastError}`, retryAfterMs };
      }
    }
  }

  /** One submit_sm and its answer; `lost` when the session is not bound, ends, or does not answer by the deadline. */
  submit(fields: Record<string, unknown>, deadline: number): Promise<SubmitAnswer> {
    return new Promise((resolve) => {
      if (this.state.name !== 'bound') return resolve({ lost: `SMPP gateway not connected: ${this.lastError}`, written: false });
      const settle = (answer: SubmitAnswer) => {
        clearTimeout(timer);
        this.submitsInFlight.delete(settle);
        resolve(answer);
      };
      const timer = setTimeout(() => settle({ lost: `no submit_sm_resp within ${this.settings.timeoutMs} ms`, written: true }), Math.max(0, deadline - Date.now()));
      this.submitsInFlight.add(settle);
      const written = this.state.session.submit_sm(fields, (response) =>
        settle({ status: response.command_status, messageId: typeof response.message_id === 'string' ? response.message_id : '' }),
      );
      if (!written) settle({ lost: 'SMPP connection is not writable', written: false });
    });
  }

  /** close: any state → closed. Submits in flight answer `lost`; a bound session is unbound (1 s at most). */
  async close(): Promise<void> {
    const previous = this.state;
    if (previous.name === 'closed') return;
    this.failSubmitsInFlight('SMS provider closed');
    this.enter({ name: 'closed' });
    if (previous.name === 'disconnected') return;
    const { session } = previous;
    if (previous.name === 'bound') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(this.settings.timeoutMs, 1_000));
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        if (!session.unbind({}, done)) done();
      });
    }
    await new Promise<void>((resolve) => {
      if (session.socket.destroyed) resolve();
      else session.destroy(resolve);
    });
  }

  /** start, and reconnect due (disconnected → connecting): a TCP session that binds as a transceiver once connected. */
  private connect(): SessionState {
    const { timeoutMs } = this.settings;
    const session = smpp.connect({ host: this.address.host, port: this.address.port });
    const bindTimer = setTimeout(() => this.endSession(session, `not bound within ${timeoutMs} ms`), timeoutMs);
    session.on('connect', () => {
      session.bind_transceiver(
        { system_id: this.address.systemId, password: this.address.password, interface_version: INTERFACE_VERSION_3_4 },
        (response) => this.bindAnswered(session, response),
      );
    });
    session.on('error', (error) => this.endSession(session, errorText(error)));
    session.on('close', () => this.sessionEnded(session));
    session.on('deliver_sm', (pdu) => {
      session.send(pdu.response());
      this.onDeliverSm(pdu);
    });
    session.on('enquire_link', (pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu) => {
      this.lastError = 'the gateway unbound';
      session.send(pdu.response());
      session.close();
    });
    return { name: 'connecting', session, bindTimer };
  }

  /** bind accepted (connecting → bound), or refused (the session ends). */
  private bindAnswered(session: SmppSession, response: SmppPdu): void {
    if (this.state.name !== 'connecting' || this.state.session !== session) return;
    if (response.command_status !== 0) {
      clearTimeout(this.state.bindTimer);
      this.logger.warn({ ...gatewayFields(this.address), status: statusName(response.command_status) }, 'SMPP bind refused');
      this.endSession(session, `bind refused: ${statusName(response.command_status)}`);
      return;
    }
    this.failedAttempts = 0;
    this.enter({ name: 'bound', session, stopEnquireLinks: this.startEnquireLinks(session) });
    this.logger.info(gatewayFields(this.address), 'SMPP transceiver bound');
  }

  /** session ended (connecting or bound → disconnected): submits in flight answer `lost`, a reconnection is scheduled. */
  private sessionEnded(session: SmppSession): void {
    if ((this.state.name !== 'connecting' && this.state.name !== 'bound') || this.state.session !== session) return;
    this.failSubmitsInFlight(`SMPP connection lost: ${this.lastError}`);
    const delay = Math.min(this.settings.maxReconnectDelayMs, this.settings.reconnectDelayMs * 2 ** this.failedAttempts);
    this.failedAttempts += 1;
    const reconnectTimer = setTimeout(() => this.enter(this.connect()), delay);
    this.enter({ name: 'disconnected', reconnectAt: Date.now() + delay, reconnectTimer });
    this.logger.warn({ ...gatewayFields(this.address), err: this.lastError, reconnectInMs: delay }, 'SMPP gateway not connected');
  }

  /** Records why and destroys the TCP session; its `close` event then ends it in the state machine. */
  private endSession(session: SmppSession, reason: string): void {
    this.lastError = reason;
    session.destroy();
  }

  /** An enquire_link every interval; one not answered within the timeout ends the session. */
  private startEnquireLinks(session: SmppSession): () => void {
    const { timeoutMs } = this.settings;
    let answerTimer: NodeJS.Timeout | undefined;
    const interval = setInterval(() => {
      clearTimeout(answerTimer);
      answerTimer = setTimeout(() => this.endSession(session, `no enquire_link_resp within ${timeoutMs} ms`), timeoutMs);
      session.enquire_link({}, () => clearTimeout(answerTimer));
    }, this.settings.enquireLinkIntervalMs);
    return () => {
      clearInterval(interval);
      clearTimeout(answerTimer);
    };
  }

  private enter(next: SessionState): void {
    leave(this.state);
    this.state = next;
    for (const wake of [...this.transitionWaiters]) wake();
  }

  private failSubmitsInFlight(reason: string): void {
    for (const settle of [...this.submitsInFlight]) settle({ lost: reason, written: true });
  }

  private nextTransition(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.transitionWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
      this.transitionWaiters.add(wake);
    });
  }
}

function leave(state: SessionState): void {
  switch (state.name) {
    case 'connecting':
      clearTimeout(state.bindTimer);
      break;
    case 'bound':
      state.stopEnquireLinks();
      break;
    case 'disconnected':
      clearTimeout(state.reconnectTimer);
      break;
    case 'closed':
      break;
  }
}

// ---------------------------------------------------------------------------------------------------
// Receipts of texts sent in parts

interface SplitText {
  readonly firstPartId: string;
  readonly waiting: Set<string>;
  readonly sentAt: number;
  reported: boolean;
}

/** A text sent in parts gets one receipt, under its first part's id: the first failure, or delivered once every part is. */
class SplitTextReceipts {
  private readonly byPartId = new Map<string, SplitText>();

  remember(partIds: readonly string[]): void {
    const now = Date.now();
    for (const [id, entry] of this.byPartId) if (now - entry.sentAt > SPLIT_TEXT_RECEIPT_TTL_MS) this.byPartId.delete(id);
    const entry: SplitText = { firstPartId: partIds[0], waiting: new Set(partIds), sentAt: now, reported: false };
    for (const id of partIds) this.byPartId.set(id, entry);
  }

  /** The receipt to report: this one for a text in one part; for a part, its text's receipt, or null (not yet, or reported). */
  receive(receipt: DeliveryReceipt): DeliveryReceipt | null {
    const split = this.byPartId.get(receipt.providerMessageId);
    if (!split) return receipt;
    this.byPartId.delete(receipt.providerMessageId);
    split.waiting.delete(receipt.providerMessageId);
    if (split.reported || (receipt.status === 'delivered' && split.waiting.size > 0)) return null;
    split.reported = true;
    return { ...receipt, providerMessageId: split.firstPartId };
  }
}

// ---------------------------------------------------------------------------------------------------
// The provider

export function createSmppProvider(url: URL, options: SmppOptions = {}): SmsProvider {
  const address = parseSmppUrl(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const logger = options.logger ?? SILENT_LOGGER;
  const listeners = new ReceiptListeners(logger);
  const incomingListeners: ((sms: IncomingSms) => void)[] = [];
  const splitTexts = new SplitTextReceipts();
  let concatenationReference = randomInt(256);

  function receiveDeliverSm(pdu: SmppPdu): void {
    if (((Number(pdu.esm_class) || 0) & ESM_CLASS_MESSAGE_TYPE) !== ESM_CLASS_DELIVERY_RECEIPT) {
      receiveIncoming(pdu);
      return;
    }
    const receipt = parseReceipt(pdu);
    if (!receipt) {
      logger.warn(gatewayFields(address), 'unreadable SMPP delivery receipt');
      return;
    }
    if (receipt === 'intermediate') return;
    const reported = splitTexts.receive(receipt);
    if (reported) listeners.emit(reported);
  }

  function receiveIncoming(pdu: SmppPdu): void {
    const from = typeof pdu.source_addr === 'string' ? pdu.source_addr.replace(/^\+/, '') : '';
    const text = messageText(pdu.short_message) || messageText(pdu.message_payload);
    if (!from) return;
    for (const listener of incomingListeners) {
      try {
        listener({ from, text });
      } catch (error) {
        logger.warn({ ...gatewayFields(address), err: errorText(error) }, 'incoming SMS listener failed');
      }
    }
  }

  const session = new SmppSessionMachine(
    address,
    {
      timeoutMs,
      enquireLinkIntervalMs: options.enquireLinkIntervalMs ?? 30_000,
      reconnectDelayMs: options.reconnectDelayMs ?? 1_000,
      maxReconnectDelayMs: options.maxReconnectDelayMs ?? 30_000,
    },
    logger,
    receiveDeliverSm,
  );

  async function send(sms: OutgoingSms): Promise<SendOutcome> {
    const deadline = Date.now() + timeoutMs;
    await session.waitWhileConnecting(deadline);
    const notBound = session.notBoundOutcome();
    if (notBound) return notBound;
    concatenationReference = (concatenationReference + 1) % 256;
    const { dataCoding, payloads } = splitSms(sms.text, concatenationReference);
    if (payloads.length > 255) return { kind: 'failed', error: `text too long: ${payloads.length} SMS parts` };
    const sender = (sms.sender ?? address.source).replace(/^\+/, '');
    const common = {
      source_addr_ton: sender === '' ? 0 : /^\d+$/.test(sender) ? TON_INTERNATIONAL : TON_ALPHANUMERIC,
      source_addr_npi: /^\d+$/.test(sender) ? NPI_ISDN : NPI_UNKNOWN,
      source_addr: sender,
      dest_addr_ton: TON_INTERNATIONAL,
      dest_addr_npi: NPI_ISDN,
      destination_addr: sms.to.replace(/^\+/, ''),
      esm_class: payloads.length > 1 ? ESM_CLASS_UDH_INDICATOR : 0,
      registered_delivery: REGISTERED_DELIVERY_FINAL,
      data_coding: dataCoding,
    };
    const partIds: string[] = [];
    for (const [index, payload] of payloads.entries()) {
      for (;;) {
        const answer = await session.submit({ ...common, short_message: payload }, deadline);
        if ('lost' in answer) {
          logger.warn({ messageId: sms.id, part: index + 1, parts: payloads.length, err: answer.lost }, 'SMS not submitted');
          return { kind: 'retry', error: answer.lost, ...(answer.written || index > 0 ? { maybeSent: true } : {}) };
        }
        if (answer.status === 0) {
          partIds.push(answer.messageId);
          break;
        }
        const retryAfterMs = RETRY_AFTER_MS_BY_STATUS.get(answer.status);
        // A later part is retried in place, so the recipient does not get the first parts twice.
        if (retryAfterMs !== undefined && index > 0 && Date.now() + retryAfterMs < deadline) {
          await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
          continue;
        }
        const error = `SMPP submit_sm refused: ${statusName(answer.status)}`;
        logger.warn({ messageId: sms.id, part: index + 1, parts: payloads.length, status: statusName(answer.status) }, 'SMS refused by the gateway');
        return retryAfterMs === undefined ? { kind: 'failed', error } : { kind: 'retry', error, retryAfterMs, ...(index > 0 ? { maybeSent: true } : {}) };
      }
    }
    if (partIds.length > 1) splitTexts.remember(partIds);
    logger.info({ messageId: sms.id, providerMessageId: partIds[0], parts: partIds.length }, 'SMS submitted');
    return { kind: 'accepted', providerMessageId: partIds[0] || null };
  }

  return {
    kind: 'smpp',
    send,
    onDeliveryReceipt: (listener) => listeners.add(listener),
    onIncomingSms: (listener) => incomingListeners.push(listener),
    close: () => session.close(),
  };
}

function statusName(status: number): string {
  return `${STATUS_NAMES.get(status) ?? 'ESME error'} (0x${status.toString(16).padStart(8, '0')})`;
}

/** `id:<id> sub:… dlvrd:… submit date:… done date:… stat:<STATE> err:<code> text:…` (SMPP 3.4 appendix B), or the TLVs. */
function parseReceipt(pdu: SmppPdu): DeliveryReceipt | 'intermediate' | null {
  const text = messageText(pdu.short_message) || messageText(pdu.message_payload);
  const id = (typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id) || /\bid:(\S+)/i.exec(text)?.[1];
  const state = /\bstat:(\w+)/i.exec(text)?.[1]?.toUpperCase() ?? MESSAGE_STATE_NAMES[Number(pdu.message_state)];
  if (!id || !state) return null;
  const status = FINAL_STATES[state];
  if (!status) return 'intermediate';
  if (status === 'delivered') return { providerMessageId: id, status };
  const code = /\berr:(\w+)/i.exec(text)?.[1];
  return { providerMessageId: id, status, error: code && !/^0+$/.test(code) ? `${state} err:${code}` : state };
}

function messageText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (value !== null && typeof value === 'object' && 'message' in value) return messageText(value.message);
  return '';
}
