/**
 * Test certificates made at test time with Debian's openssl: a CA, a server certificate for 127.0.0.1/localhost, an
 * expired one, one for another host name, a certificate from a CA the client does not trust, and a client certificate
 * for mutual TLS. Written under a temp dir removed at exit.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.js';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  caFile: string;
  server: KeyPair;
  expired: KeyPair;
  wrongHost: KeyPair;
  untrusted: KeyPair;
  client: KeyPair;
  /** A client certificate signed by the untrusted CA. */
  strangerClient: KeyPair;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): KeyPair {
  const pair = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', pair.key, '-out', pair.cert, '-subj', `/CN=${name}`, '-days', '2'], dir);
  return pair;
}

let serial = 100;
function issue(dir: string, ca: KeyPair, name: string, options: { san?: string; days?: number; client?: boolean }): KeyPair {
  const pair = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', pair.key, '-out', csr, '-subj', `/CN=${name}`], dir);
  writeFileSync(ext, options.client ? 'extendedKeyUsage=clientAuth\n' : `subjectAltName=${options.san}\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(serial++), '-days', String(options.days ?? 2), '-extfile', ext, '-out', pair.cert], dir);
  return pair;
}

export function makeTestPki(): TestPki {
  const dir = tempDir('quarry-fleet-pki-');
  const ca = makeCa(dir, 'fleet-ca');
  const stranger = makeCa(dir, 'stranger-ca');
  return {
    dir,
    caFile: ca.cert,
    server: issue(dir, ca, 'server', { san: 'IP:127.0.0.1,DNS:localhost' }),
    expired: issue(dir, ca, 'expired', { san: 'IP:127.0.0.1,DNS:localhost', days: -1 }),
    wrongHost: issue(dir, ca, 'wrong-host', { san: 'DNS:fleet.example.org' }),
    untrusted: issue(dir, stranger, 'untrusted', { san: 'IP:127.0.0.1,DNS:localhost' }),
    client: issue(dir, ca, 'client', { client: true }),
    strangerClient: issue(dir, stranger, 'stranger-client', { client: true }),
  };
}
