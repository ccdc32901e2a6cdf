// A stand-in for the Regulars server in POS unit tests: records every call and answers as the test scripts it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  operation: string;
  transactionId: string | null;
  endpointId: string | null;
  authorization: string | undefined;
  body: any;
}

/** An answer, or `hang` (never answer), `drop` (close the connection), `error500`. */
export type Reply = { status?: number; body: object } | 'hang' | 'drop' | 'error500';

export class ScriptedServer {
  readonly calls: RecordedCall[] = [];
  private server: Server | null = null;
  port = 0;

  constructor(public reply: (call: RecordedCall, index: number) => Reply = () => ({ body: { status: 'Success' } })) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** the calls of one operation, oldest first */
  of(operation: string): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  async listen(port = 0): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://localhost');
        const text = Buffer.concat(chunks).toString('utf8');
        const call: RecordedCall = {
          operation: url.searchParams.get('operation') ?? '',
          transactionId: url.searchParams.get('transactionId'),
          endpointId: url.searchParams.get('endpointId'),
          authorization: request.headers.authorization,
          body: text ? JSON.parse(text) : null,
        };
        this.calls.push(call);
        const reply = this.reply(call, this.calls.length - 1);
        if (reply === 'hang') return;
        if (reply === 'drop') return void request.socket.destroy();
        const [status, body] = reply === 'error500' ? [500, { status: 'InternalServerError', errorMessage: 'down', httpStatusCode: 500 }] : [reply.status ?? 200, reply.body];
        response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const probe = await new ScriptedServer().listen();
  const port = probe.port;
  await probe.close();
  return port;
}
