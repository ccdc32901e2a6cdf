// What the Wallet tests need besides the server: throwaway certificates made with openssl (a CA standing in for
// Apple's WWDR, the pass type certificate it signs, and the TLS certificate of the push double), a reader of the
// .pkpass archive (a zip), and an HTTP/2 double of Apple's push service that wants the pass certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

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
