// What the Wallet tests need besides the server: throwaway certificates made with openssl (a CA standing in for
// Apple's WWDR, the pass type certificate it signs, and the TLS certificate of the push double), a reader of the
// .pkpass archive (a zip), an HTTP/2 double of Apple's push service that wants the pass certificate; a reader of
// JWTs that checks their RS256 signature, and an HTTP double of Google's token URL and Wallet objects API.
import { execFileSync } from 'node:child_process';
import { verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { TestApp } from './app.ts';

/** Registers a guest and signs in on the card page with the SMS code (`createTestApp({ smsInbox: true })`); the session cookie. */
export async function signedInGuest(t: TestApp, phone: string, firstName: string): Promise<string> {
  await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone, firstName } });
  const form = (url: string, fields: Record<string, string>) =>
    t.server.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
  await form('/card/code', { phone });
  await t.drain();
  const signedIn = await form('/card/sign-in', { phone, code: t.sms.lastCode(phone) });
  return String(signedIn.headers['set-cookie']).split(';')[0];
}

export interface TestCertificates {
  dir: string;
  /** the CA that signs the others (Apple's WWDR in production) */
  ca: string;
  passCert: string;
  passKey: string;
  pushServerCert: string;
  pushServerKey: string;
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

export function makeTestCertificates(passTypeIdentifier: string, teamIdentifier: string): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-wallet-'));
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test WWDR CA']);
  const signed = (name: string, subject: string, extensions: string | null) => {
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    if (extensions) writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...(extensions ? ['-extfile', `${name}.ext`] : [])]);
  };
  signed('pass', `/CN=Pass Type ID: ${passTypeIdentifier}/OU=${teamIdentifier}/UID=${passTypeIdentifier}`, null);
  signed('push', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
  return { dir, ca: join(dir, 'ca.pem'), passCert: join(dir, 'pass.pem'), passKey: join(dir, 'pass.key'), pushServerCert: join(dir, 'push.pem'), pushServerKey: join(dir, 'push.key') };
}

/** The files of a zip archive (stored or deflated entries), by name. */
export function readZip(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip archive');
  let at = archive.readUInt32LE(end + 16);
  for (let n = archive.readUInt16LE(end + 10); n > 0; n -= 1) {
    const method = archive.readUInt16LE(at + 10);
    const size = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const skip = nameLength + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const data = archive.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + skip;
  }
  return files;
}

/** Whether `signature` is a valid detached PKCS #7 signature of `manifest` by a certificate the CA issued (openssl). */
export function signatureVerifies(manifest: Buffer, signature: Buffer, caFile: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-pkpass-'));
  writeFileSync(join(dir, 'manifest.json'), manifest);
  writeFileSync(join(dir, 'signature'), signature);
  try {
    openssl(dir, ['smime', '-verify', '-inform', 'DER', '-binary', '-in', 'signature', '-content', 'manifest.json', '-CAfile', caFile, '-purpose', 'any', '-out', '/dev/null']);
    return true;
  } catch {
    return false;
  }
}

export interface ReceivedPush {
  path: string;
  topic: string | undefined;
  /** the subject of the client certificate the server presented */
  clientCertificate: string | undefined;
  body: string;
}

export interface PushDouble {
  url: string;
  received: ReceivedPush[];
  /** tokens answered 410 Unregistered */
  gone: Set<string>;
  close(): Promise<void>;
}

/** Apple's push service on loopback: HTTP/2 over TLS, refusing clients without a certificate the CA issued. */
export async function startPushDouble(certificates: TestCertificates): Promise<PushDouble> {
  const received: ReceivedPush[] = [];
  const gone = new Set<string>();
  const server: Http2SecureServer = createSecureServer({
    key: readFileSync(certificates.pushServerKey),
    cert: readFileSync(certificates.pushServerCert),
    ca: readFileSync(certificates.ca),
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on('stream', (stream, headers) => {
    let body = '';
    stream.on('data', (chunk) => (body += chunk));
    stream.on('end', () => {
      const path = String(headers[':path']);
      const peer = (stream.session?.socket as TLSSocket | undefined)?.getPeerCertificate();
      received.push({ path, topic: headers['apns-topic'] as string | undefined, clientCertificate: peer?.subject?.CN ? String(peer.subject.CN) : undefined, body });
      const token = decodeURIComponent(path.split('/').at(-1) ?? '');
      stream.respond({ ':status': gone.has(token) ? 410 : 200 });
      stream.end(gone.has(token) ? JSON.stringify({ reason: 'Unregistered' }) : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}`, received, gone, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ReadJwt {
  header: Record<string, unknown>;
  claims: Record<string, any>;
  /** whether the RS256 signature holds under the key */
  verified: boolean;
}

/** A compact JWT's header and claims, and whether its RS256 signature verifies with the public key. */
export function readJwt(jwt: string, publicKey: KeyObject): ReadJwt {
  const [header, claims, signature] = jwt.split('.');
  const json = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  return { header: json(header), claims: json(claims), verified: verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url')) };
}

export interface GoogleApiCall {
  method: string;
  path: string;
  authorization: string | undefined;
  body: any;
  status: number;
}

export interface GoogleWalletDouble {
  apiUrl: string;
  tokenUrl: string;
  /** the access tokens it issued, in order */
  issuedTokens: string[];
  /** the loyalty objects Google holds, by id: a test puts one there as a guest's save would */
  objects: Map<string, any>;
  /** every call to the objects API, answered */
  calls: GoogleApiCall[];
  /** a status the objects API answers every call with, as Google does when the account may not write the issuer's objects */
  refuseWith: number | null;
  close(): Promise<void>;
}

const bodyOf = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => resolve(body));
  });

/**
 * Google on loopback: the token URL grants a token for a service-account assertion signed with the key and naming
 * the account, the scope and the token URL; the objects API (update, insert) answers a bearer token it issued only.
 */
export async function startGoogleWalletDouble(serviceAccount: string, publicKey: KeyObject): Promise<GoogleWalletDouble> {
  const issuedTokens: string[] = [];
  const objects = new Map<string, any>();
  const calls: GoogleApiCall[] = [];
  let tokenUrl = '';
  const server = createServer(async (request, response) => {
    const text = await bodyOf(request);
    const answer = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const path = request.url ?? '';
    if (request.method === 'POST' && path === '/token') {
      const form = new URLSearchParams(text);
      const assertion = form.get('assertion') ? readJwt(form.get('assertion')!, publicKey) : null;
      const good =
        form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
        assertion?.verified &&
        assertion.claims.iss === serviceAccount &&
        assertion.claims.aud === tokenUrl &&
        assertion.claims.scope === 'https://www.googleapis.com/auth/wallet_object.issuer';
      if (!good) return answer(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      issuedTokens.push(`ya29.test-${issuedTokens.length + 1}`);
      return answer(200, { access_token: issuedTokens.at(-1), expires_in: 3599, token_type: 'Bearer' });
    }
    const object = text ? JSON.parse(text) : null;
    const record = (status: number, body: unknown) => {
      calls.push({ method: request.method ?? '', path, authorization: request.headers.authorization, body: object, status });
      answer(status, body);
    };
    if (!issuedTokens.some((token) => request.headers.authorization === `Bearer ${token}`)) return record(401, { error: { code: 401, message: 'Request had invalid authentication credentials.' } });
    if (double.refuseWith) return record(double.refuseWith, { error: { code: double.refuseWith, message: 'The caller does not have permission' } });
    const update = /^\/walletobjects\/v1\/loyaltyObject\/([^/]+)$/.exec(path);
    if (request.method === 'PUT' && update) {
      const id = decodeURIComponent(update[1]);
      if (!objects.has(id)) return record(404, { error: { code: 404, message: `No resource with ID ${id}` } });
      objects.set(id, object);
      return record(200, object);
    }
    if (request.method === 'POST' && path === '/walletobjects/v1/loyaltyObject') {
      if (objects.has(object.id)) return record(409, { error: { code: 409, message: 'Resource already exists' } });
      objects.set(object.id, object);
      return record(200, object);
    }
    return record(404, { error: { code: 404, message: 'Not Found' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tokenUrl = `${base}/token`;
  const double: GoogleWalletDouble = {
    apiUrl: `${base}/walletobjects/v1`,
    tokenUrl,
    issuedTokens,
    objects,
    calls,
    refuseWith: null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return double;
}
