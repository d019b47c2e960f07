/** Why a request to the TLS server failed, in words that say what to check. */
export type RemoteFailureKind = 'untrusted' | 'expired' | 'wrong-host' | 'refused' | 'timeout' | 'network' | 'http-status' | 'not-json' | 'too-large' | 'node-invalid' | 'config';

export class RemoteError extends Error {
  constructor(
    message: string,
    readonly kind: RemoteFailureKind,
    /** The HTTP status, for 'http-status'. */
    readonly status = 0,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** Turns a socket/TLS error from node:https into a RemoteError naming the flag to look at. */
export function describeConnectionError(error: NodeJS.ErrnoException, url: string): RemoteError {
  const code = error.code ?? '';
  if (UNTRUSTED.has(code)) {
    return new RemoteError(`${url}: the server's certificate is not signed by a CA in --tls_server_certs (${code}); point --tls_server_certs at the server's CA bundle`, 'untrusted');
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new RemoteError(`${url}: the server's certificate is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not yet valid'} (${code}); renew it on the server or fix this host's clock`, 'expired');
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new RemoteError(`${url}: the server's certificate does not name this host (${error.message}); --tls_hostname must match a name in the certificate`, 'wrong-host');
  }
  if (code === 'EPROXY') return new RemoteError(`${url}: ${error.message}`, 'network');
  if (code === 'ECONNREFUSED') return new RemoteError(`${url}: connection refused; is the server running and --tls_hostname right?`, 'refused');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new RemoteError(`${url}: host not found (${code}); check --tls_hostname`, 'network');
  return new RemoteError(`${url}: ${error.message}${code ? ` (${code})` : ''}`, 'network');
}
