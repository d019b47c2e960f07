/**
 * A minimal HTTP CONNECT proxy for tests (node:net on 127.0.0.1): tunnels to the asked host:port, records each
 * CONNECT target, and can refuse every tunnel with 403.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export class ConnectProxy {
  readonly targets: string[] = [];
  refuse = false;
  port = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((client) => {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    client.once('data', (chunk) => {
      const request = /^CONNECT (\S+):(\d+) HTTP\/1\.[01]\r\n/.exec(chunk.toString('latin1'));
      if (!request) return void client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      this.targets.push(`${request[1]}:${request[2]}`);
      if (this.refuse) return void client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      const upstream = net.connect(Number(request[2]), request[1], () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
