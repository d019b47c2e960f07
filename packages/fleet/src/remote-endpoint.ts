/**
 * Where the TLS server is and how to trust it, from the flags: --tls_hostname (host[:port]), --tls_server_certs (the
 * only CAs trusted when set: pinning), --tls_client_cert/--tls_client_key (mutual TLS). Plain HTTP only with
 * --tls_allow_plain_http and only to a loopback address.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Flags } from '@quarry/config';
import { RemoteError } from './remote-errors.js';

export interface RemoteEndpoint {
  /** `https://host:port` (or `http://` for an allowed loopback). */
  origin: string;
  /** The host name checked against the server's certificate. */
  serverName: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  /** --tls_request_timeout in ms. */
  timeoutMs: number;
  /** --tls_max_response_size in bytes. */
  maxResponseBytes: number;
  acceptGzip: boolean;
  keepAlive: boolean;
  /** --tls_dump: every request and answer is handed to the status log. */
  dump: boolean;
  /** --proxy_hostname: HTTPS goes through this HTTP proxy (CONNECT). */
  proxy?: { host: string; port: number };
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new RemoteError(`--${flag} ${path} cannot be read: ${(error as Error).message}`, 'config');
  }
}

/** Splits `host[:port]` (IPv6 in brackets). */
export function splitHostPort(value: string): { host: string; port: string } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value);
  if (!match) throw new RemoteError(`--tls_hostname ${JSON.stringify(value)} is not host[:port]`, 'config');
  return { host: match[1]!, port: match[2] ?? '' };
}

export function remoteEndpointFromFlags(flags: Flags): RemoteEndpoint {
  const hostname = flags.string('tls_hostname').trim();
  if (hostname === '') throw new RemoteError('--tls_hostname is empty: set it to the TLS server (host[:port]) to enroll, fetch configs, log or read distributed queries', 'config');
  if (/^[a-z]+:\/\//i.test(hostname)) throw new RemoteError(`--tls_hostname ${hostname} must be host[:port] without a scheme (HTTPS is implied)`, 'config');
  const { host } = splitHostPort(hostname);
  const plain = flags.bool('tls_allow_plain_http');
  if (plain && !isLoopback(host)) {
    throw new RemoteError(`--tls_allow_plain_http is refused for ${host}: plain HTTP is allowed only to a loopback address (127.0.0.1, ::1, localhost); use HTTPS`, 'config');
  }
  const certs = flags.string('tls_server_certs');
  const clientCert = flags.string('tls_client_cert');
  const clientKey = flags.string('tls_client_key');
  if ((clientCert === '') !== (clientKey === '')) {
    throw new RemoteError('--tls_client_cert and --tls_client_key go together: set both for mutual TLS, or neither', 'config');
  }
  const proxyName = flags.string('proxy_hostname').trim();
  let proxy: { host: string; port: number } | undefined;
  if (proxyName !== '') {
    if (plain) throw new RemoteError('--proxy_hostname is for HTTPS; --tls_allow_plain_http (loopback only) goes without a proxy', 'config');
    const split = splitHostPort(proxyName.replace(/^http:\/\//i, '').replace(/\/$/, ''));
    proxy = { host: split.host.replace(/^\[|\]$/g, ''), port: Number(split.port || 3128) };
  }
  return {
    ...(proxy ? { proxy } : {}),
    origin: `${plain ? 'http' : 'https'}://${hostname}`,
    serverName: host.replace(/^\[|\]$/g, ''),
    ...(certs !== '' ? { ca: readPem('tls_server_certs', certs) } : {}),
    ...(clientCert !== '' ? { cert: readPem('tls_client_cert', clientCert), key: readPem('tls_client_key', clientKey) } : {}),
    rejectUnauthorized: !flags.bool('tls_allow_unsafe'),
    timeoutMs: Math.max(1, flags.number('tls_request_timeout')) * 1000,
    maxResponseBytes: Math.max(1024, flags.number('tls_max_response_size')),
    acceptGzip: flags.bool('tls_accept_gzip'),
    keepAlive: flags.bool('tls_session_reuse'),
    dump: flags.bool('tls_dump'),
  };
}
