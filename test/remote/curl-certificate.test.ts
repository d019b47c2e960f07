/**
 * curl_certificate against a local HTTPS server (on a worker thread) with a certificate made by Debian's openssl;
 * every column is compared with what `openssl x509` prints for the same certificate.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Engine } from '@quarry/sql';
import { remoteTables } from '@quarry/tables/remote/index';
import { freePort } from './remote-fixtures.js';

let dir: string;
let server: Worker;
let port: number;
let engine: Engine;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quarry-remote-cert-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=Quarry Test/OU=Remote/CN=127.0.0.1', '-days', '2',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext', 'extendedKeyUsage=serverAuth,clientAuth',
  ], { stdio: 'ignore' });
  server = new Worker(
    `const { createServer } = require('node:https');
     const { parentPort, workerData } = require('node:worker_threads');
     const s = createServer({ key: workerData.key, cert: workerData.cert }, (req, res) => res.end('ok'));
     s.listen(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));`,
    { eval: true, workerData: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) } },
  );
  port = await new Promise<number>((resolve) => server.once('message', resolve));
  engine = await Engine.create({ tables: remoteTables() });
});

after(async () => {
  engine?.close();
  await server?.terminate();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function openssl(...args: string[]): string {
  return execFileSync('openssl', ['x509', '-in', join(dir, 'cert.pem'), '-noout', ...args], { encoding: 'utf8' });
}

/** The line after `heading` in `openssl x509 -text`, trimmed. */
function textAfter(text: string, heading: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => line.trim().startsWith(heading));
  assert.ok(at >= 0, `openssl prints ${heading}`);
  return lines[at + 1]!.trim();
}

test('every column equals openssl x509 for the served certificate', () => {
  const text = openssl('-text');
  const fields = (flag: string) => openssl(flag).trim().replace(/^[^=]*=/, '');
  const signature = text.slice(text.indexOf('Signature Value:') + 'Signature Value:'.length).trim().split(/\s+/).join('');
  const result = engine.query(`select *, pem from curl_certificate where hostname = '127.0.0.1:${port}' and dump_certificate = 1`);
  assert.deepEqual(result.warnings, []);
  assert.equal(result.rows.length, 1);
  const row = result.rows[0]!;
  assert.deepEqual(row, {
    hostname: `127.0.0.1:${port}`,
    common_name: '127.0.0.1',
    organization: 'Quarry Test',
    organization_unit: 'Remote',
    serial_number: fields('-serial'),
    issuer_common_name: '127.0.0.1',
    issuer_organization: 'Quarry Test',
    issuer_organization_unit: 'Remote',
    valid_from: fields('-startdate'),
    valid_to: fields('-enddate'),
    sha256_fingerprint: openssl('-fingerprint', '-sha256').trim().replace(/^[^=]*=/, '').replace(/:/g, '').toLowerCase(),
    sha1_fingerprint: openssl('-fingerprint', '-sha1').trim().replace(/^[^=]*=/, '').replace(/:/g, '').toLowerCase(),
    version: Number(/Version: (\d+)/.exec(text)![1]),
    signature_algorithm: 'RSA-SHA256', // OpenSSL's short name of sha256WithRSAEncryption
    signature,
    subject_key_identifier: textAfter(text, 'X509v3 Subject Key Identifier'),
    authority_key_identifier: textAfter(text, 'X509v3 Authority Key Identifier'),
    key_usage: textAfter(text, 'X509v3 Key Usage'),
    extended_key_usage: textAfter(text, 'X509v3 Extended Key Usage'),
    policies: '', // extension absent (openssl prints none)
    subject_alternative_names: textAfter(text, 'X509v3 Subject Alternative Name'),
    issuer_alternative_names: '', // extension absent (openssl prints none)
    info_access: '',
    subject_info_access: '', // extension absent (openssl prints none)
    policy_mappings: '', // extension absent (openssl prints none)
    has_expired: 0,
    basic_constraint: textAfter(text, 'X509v3 Basic Constraints'),
    name_constraints: '', // extension absent (openssl prints none)
    policy_constraints: '', // extension absent (openssl prints none)
    pem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
  });
});

test('an unreachable host gives a warning and no row; a bad hostname is named', async () => {
  const dead = `127.0.0.1:${await freePort()}`;
  const result = engine.query(`select common_name from curl_certificate where hostname in ('${dead}', '127.0.0.1:99999')`);
  assert.deepEqual(result.rows, []);
  assert.ok(result.warnings.some((w) => w.startsWith(`curl_certificate: cannot get the certificate of ${dead}: `) && /ECONNREFUSED/.test(w)), result.warnings.join('\n'));
  assert.ok(result.warnings.includes("curl_certificate: '127.0.0.1:99999' is not host[:port]; use e.g. 'example.com' or 'example.com:8443'"));
  assert.throws(() => engine.query('select * from curl_certificate'), /Table curl_certificate was queried without a required column/);
});
