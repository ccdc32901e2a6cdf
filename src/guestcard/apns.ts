// Pushes to Apple's push service for Wallet passes: an empty JSON body to /3/device/<push token> over HTTP/2,
// with the pass type's certificate as the TLS client certificate and the pass type id as the topic. The device
// then asks the web service which passes changed. REGULARS_APPLE_PUSH_URL may point at a relay (tests: a double).
import { connect, constants } from 'node:http2';

export interface PushCredentials {
  url: string;
  topic: string;
  cert: Buffer;
  key: Buffer;
  passphrase: string | null;
  ca: Buffer | null;
}

export type PushOutcome = 'sent' | 'gone' | 'failed';

const PUSH_TIMEOUT_MS = 10_000;

/** Sends one push per token; `gone`: the device no longer has the pass (410), forget the registration. */
export async function pushToDevices(credentials: PushCredentials, tokens: string[]): Promise<Map<string, PushOutcome>> {
  const outcomes = new Map<string, PushOutcome>();
  if (tokens.length === 0) return outcomes;
  const session = connect(credentials.url, {
    cert: credentials.cert,
    key: credentials.key,
    ...(credentials.passphrase ? { passphrase: credentials.passphrase } : {}),
    ...(credentials.ca ? { ca: credentials.ca } : {}),
  });
  session.on('error', () => {
    // each request reports its own failure
  });
  try {
    await Promise.all(
      tokens.map(
        (token) =>
          new Promise<void>((resolve) => {
            const request = session.request({
              [constants.HTTP2_HEADER_METHOD]: 'POST',
              [constants.HTTP2_HEADER_PATH]: `/3/device/${encodeURIComponent(token)}`,
              'apns-topic': credentials.topic,
              'content-type': 'application/json',
            });
            request.setTimeout(PUSH_TIMEOUT_MS, () => request.close(constants.NGHTTP2_CANCEL));
            request.on('response', (headers) => {
              const status = Number(headers[constants.HTTP2_HEADER_STATUS]);
              outcomes.set(token, status === 200 ? 'sent' : status === 410 ? 'gone' : 'failed');
            });
            request.on('error', () => outcomes.set(token, 'failed'));
            request.on('close', () => {
              if (!outcomes.has(token)) outcomes.set(token, 'failed');
              resolve();
            });
            request.resume();
            request.end('{}');
          }),
      ),
    );
  } finally {
    session.close();
  }
  return outcomes;
}
