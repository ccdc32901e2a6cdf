// An HTTP proxy between a POS and the real server for end-to-end tests: every call goes through to the server,
// and the answers a test picks are lost on the way back (the connection is cut after the server answered), as a
// network that fails at the worst moment would lose them.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedCall {
  operation: string;
  transactionId: string | null;
  /** the server's answer: its `status`, and the whole body */
  status: string | null;
  body: any;
  answerDropped: boolean;
}

export interface LossyProxy {
  port: number;
  calls: ProxiedCall[];
  close(): Promise<void>;
}

/** Listens on `port` (0: any) and forwards to the server on `upstreamPort`; `lose(operation, index)` picks the answers to drop. */
export async function startLossyProxy(port: number, upstreamPort: string | number, lose: (operation: string, index: number) => boolean): Promise<LossyProxy> {
  const calls: ProxiedCall[] = [];
  const perOperation = new Map<string, number>();
  const proxy: Server = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://localhost');
    const operation = url.searchParams.get('operation') ?? '';
    const index = perOperation.get(operation) ?? 0;
    perOperation.set(operation, index + 1);
    const upstream = httpRequest({ host: '127.0.0.1', port: upstreamPort, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        let parsed: any = null;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          parsed = null;
        }
        const drop = lose(operation, index);
        calls.push({ operation, transactionId: url.searchParams.get('transactionId'), status: parsed?.status ?? null, body: parsed, answerDropped: drop });
        if (drop) return void incoming.socket.destroy();
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        outgoing.end(body);
      });
    });
    upstream.on('error', () => incoming.socket.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as AddressInfo).port,
    calls,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
