// A TCP proxy on loopback in front of a server (PostgreSQL), to play a network that goes silent: once cut, it
// forwards nothing either way and answers no new connection, while every socket stays open — the half-open
// connection a pulled cable or a dead router leaves behind, which no error reports. Or one that says no: once
// refusing, it closes every connection and each new one at once, as a server going down does.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** `postgres://…` with host and port replaced by the proxy's */
  urlFor(target: string): string;
  /** from now on nothing passes, and new connections hang */
  cut(): void;
  /** closes every connection, and from now on each new one at once */
  refuse(): void;
  /** closes every connection now; new ones pass (a restart, a terminated backend) */
  drop(): void;
  /** passes again; connections made while cut stay dead, as after a real outage */
  mend(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let silent = false;
  let refusing = false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (refusing) return void client.destroy();
    if (silent) return;
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.on('data', (chunk) => {
      if (!silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!silent) client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlFor(target) {
      const url = new URL(target);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    cut() {
      silent = true;
    },
    refuse() {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    drop() {
      for (const socket of sockets) socket.destroy();
    },
    mend() {
      silent = false;
      refusing = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
