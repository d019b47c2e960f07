/**
 * --proxy_hostname: HTTPS through an HTTP proxy. Each connection opens a TCP connection to the proxy, asks it to
 * `CONNECT host:port`, and runs TLS to the TLS server inside that tunnel (the proxy sees only ciphertext; the server's
 * certificate is checked as without a proxy).
 */
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

/** The most a proxy may send before the end of its CONNECT answer's headers. */
const MAX_PROXY_HEADER = 16 * 1024;

export class ProxyAgent extends https.Agent {
  constructor(
    private readonly proxy: { host: string; port: number },
    options: https.AgentOptions,
  ) {
    super(options);
  }

  /** node's Agent calls this for each new connection; the socket is handed over through `callback`. */
  override createConnection(options: tls.ConnectionOptions & { host?: string; port?: number }, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    const target = `${options.host}:${options.port}`;
    const proxyName = `${this.proxy.host}:${this.proxy.port}`;
    const socket = net.connect(this.proxy.port, this.proxy.host);
    let answered = false;
    const fail = (message: string) => {
      if (answered) return;
      answered = true;
      socket.destroy();
      callback(Object.assign(new Error(`--proxy_hostname ${proxyName}: ${message}`), { code: 'EPROXY' }));
    };
    socket.once('error', (error) => fail(`${error.message} (is the proxy running?)`));
    socket.once('connect', () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    let header = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      header = Buffer.concat([header, chunk]);
      const end = header.indexOf('\r\n\r\n');
      if (end < 0) {
        if (header.length > MAX_PROXY_HEADER) fail('the proxy answered CONNECT with headers that never end');
        return;
      }
      socket.off('data', onData);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(header.subarray(0, end).toString('latin1'));
      if (!status || status[1] !== '200') {
        fail(`the proxy refused CONNECT ${target}: ${header.subarray(0, Math.min(end, 120)).toString('latin1').split('\r\n')[0]}`);
        return;
      }
      answered = true;
      socket.removeAllListeners('error');
      const host = String(options.host ?? '');
      const secure = tls.connect({ ...options, socket, host, ...(net.isIP(host) ? {} : { servername: host }) });
      callback(null, secure);
    };
    socket.on('data', onData);
    return undefined;
  }
}
