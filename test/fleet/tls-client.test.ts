/**
 * The TLS client of @quarry/fleet against a real node:https server with certificates made by openssl: CA pinning,
 * mutual TLS, server-name checks, plain HTTP only to loopback, gzip bodies, and a clear error for each way a
 * server can be wrong.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Flags } from '@quarry/config';
import { remoteEndpointFromFlags, RemoteError, TlsClient } from '@quarry/fleet';
import { makeTestPki, type TestPki } from './test-pki.js';
import { FleetServer, PATHS } from './fleet-server.js';
import { ConnectProxy } from './connect-proxy.js';

const ENSURE = fileURLToPath(new URL('../../scripts/ensure-debian-packages.sh', import.meta.url));
let pki: TestPki;
const servers: FleetServer[] = [];

before(() => {
  execFileSync('sh', [ENSURE, 'openssl', '--', 'openssl'], { stdio: 'inherit' });
  pki = makeTestPki();
});
after(async () => {
  for (const server of servers) await server.close();
});

async function serve(options: ConstructorParameters<typeof FleetServer>[0]): Promise<FleetServer> {
  const server = await new FleetServer(options).start();
  servers.push(server);
  return server;
}

function client(hostname: string, extra: string[] = []): TlsClient {
  const { flags } = Flags.parse([`--tls_hostname=${hostname}`, `--tls_server_certs=${pki.caFile}`, '--tls_request_timeout=2', ...extra], { mode: 'daemon' });
  return new TlsClient(remoteEndpointFromFlags(flags));
}

async function failure(promise: Promise<unknown>): Promise<RemoteError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RemoteError, `a RemoteError, got ${String(error)}`);
    return error;
  }
  throw new Error('the request succeeded');
}

test('a server whose certificate is signed by the pinned CA answers; one signed by another CA is refused, naming --tls_server_certs', async () => {
  const good = await serve({ tls: pki.server });
  const answer = await client(good.hostname).post(PATHS.enroll, { enroll_secret: 'x', host_identifier: 'h' });
  assert.match(String(answer.node_key), /^[0-9a-f]{24}$/);

  const stranger = await serve({ tls: pki.untrusted });
  const error = await failure(client(stranger.hostname).post(PATHS.enroll, {}));
  assert.equal(error.kind, 'untrusted');
  assert.match(error.message, /not signed by a CA in --tls_server_certs/);
  assert.equal(stranger.requests.length, 0, 'nothing was sent to the untrusted server');
});

test('an expired certificate and a certificate for another host name are refused with their own messages', async () => {
  const expired = await serve({ tls: pki.expired });
  const e1 = await failure(client(expired.hostname).post(PATHS.enroll, {}));
  assert.equal(e1.kind, 'expired');
  assert.match(e1.message, /certificate is expired/);

  const wrongHost = await serve({ tls: pki.wrongHost });
  const e2 = await failure(client(wrongHost.hostname).post(PATHS.enroll, {}));
  assert.equal(e2.kind, 'wrong-host');
  assert.match(e2.message, /does not name this host.*--tls_hostname must match/);
  // --tls_allow_unsafe (osquery's hidden flag) accepts it
  const unsafe = await client(wrongHost.hostname, ['--tls_allow_unsafe=true']).post(PATHS.enroll, {});
  assert.equal(typeof unsafe.node_key, 'string');
});

test('mutual TLS: with --tls_client_cert/--tls_client_key the server sees the client certificate; without it the handshake fails', async () => {
  const server = await serve({ tls: pki.server, clientCa: pki.caFile });
  const withCert = client(server.hostname, [`--tls_client_cert=${pki.client.cert}`, `--tls_client_key=${pki.client.key}`]);
  await withCert.post(PATHS.enroll, {});
  assert.equal(server.requests.at(-1)?.clientCn, 'client');
  await failure(client(server.hostname).post(PATHS.enroll, {}));
  await failure(client(server.hostname, [`--tls_client_cert=${pki.strangerClient.cert}`, `--tls_client_key=${pki.strangerClient.key}`]).post(PATHS.enroll, {}));
  assert.equal(server.requests.length, 1, 'only the trusted client got through');
  assert.throws(() => client(server.hostname, [`--tls_client_cert=${pki.client.cert}`]), /--tls_client_cert and --tls_client_key go together/);
  assert.throws(() => client(server.hostname, ['--tls_client_cert=/nonexistent.pem', '--tls_client_key=/nonexistent.key']), /--tls_client_cert \/nonexistent\.pem cannot be read/);
});

test('plain HTTP needs --tls_allow_plain_http and a loopback host; HTTPS is the default', async () => {
  const plain = await serve({});
  const e = await failure(client(plain.hostname).post(PATHS.enroll, {}));
  assert.equal(e.kind, 'network', 'an HTTPS client cannot talk to a plain HTTP server');
  const answer = await client(plain.hostname, ['--tls_allow_plain_http=true']).post(PATHS.enroll, {});
  assert.equal(typeof answer.node_key, 'string');
  assert.throws(() => client('fleet.example.org:8080', ['--tls_allow_plain_http=true']), /plain HTTP is allowed only to a loopback address/);
  assert.throws(() => client('https://fleet.example.org'), /without a scheme/);
});

test('a refused connection, 500, 404, HTML, invalid JSON, a 50 MB body and a slow server each fail with a clear error', async () => {
  const server = await serve({ tls: pki.server });
  const c = client(server.hostname);
  const port = server.port;
  const cases: [string, RegExp, string][] = [
    ['500', /HTTP 500/, 'http-status'],
    ['404', /HTTP 404/, 'http-status'],
    ['html', /not JSON \(body starts: "<html><body>Bad Gateway/, 'not-json'],
    ['invalid-json', /not JSON/, 'not-json'],
    ['huge', /larger than --tls_max_response_size/, 'too-large'],
    ['slow', /no answer within --tls_request_timeout \(2 s\)/, 'timeout'],
  ];
  for (const [trouble, message, kind] of cases) {
    server.misbehave.set(PATHS.config, trouble as never);
    const error = await failure(c.post(PATHS.config, { node_key: 'k' }));
    assert.match(error.message, message, trouble);
    assert.equal(error.kind, kind, trouble);
  }
  await server.stop();
  const refused = await failure(client(`127.0.0.1:${port}`).post(PATHS.enroll, {}));
  assert.equal(refused.kind, 'refused');
  assert.match(refused.message, /connection refused/);
});

test('gzip: --logger_tls_compress bodies arrive gzip-encoded and decode to the same JSON', async () => {
  const server = await serve({ tls: pki.server });
  const c = client(server.hostname);
  await c.post(PATHS.enroll, { enroll_secret: 's', host_identifier: 'gz' }, { compress: true });
  const request = server.requests.at(-1)!;
  assert.equal(request.headers['content-encoding'], 'gzip');
  assert.equal(request.body.host_identifier, 'gz');
});

test('--tls_accept_gzip asks for gzip answers and decodes them', async () => {
  const server = await serve({ tls: pki.server });
  const answer = await client(server.hostname, ['--tls_accept_gzip=true']).post(PATHS.enroll, {});
  assert.equal(server.requests.at(-1)!.headers['accept-encoding'], 'gzip');
  assert.match(String(answer.node_key), /^[0-9a-f]{24}$/);
  await client(server.hostname).post(PATHS.enroll, {});
  assert.equal(server.requests.at(-1)!.headers['accept-encoding'], undefined, 'not asked by default');
});

test('--proxy_hostname: HTTPS through an HTTP CONNECT proxy, the server certificate still checked; a refusing or absent proxy is said', async () => {
  const server = await serve({ tls: pki.server });
  const proxy = await new ConnectProxy().start();
  try {
    const answer = await client(server.hostname, [`--proxy_hostname=127.0.0.1:${proxy.port}`]).post(PATHS.enroll, { host_identifier: 'proxied' });
    assert.equal(typeof answer.node_key, 'string');
    assert.deepEqual(proxy.targets, [server.hostname], 'the request went through the proxy');
    assert.equal(server.requests.at(-1)!.body.host_identifier, 'proxied');

    const stranger = await serve({ tls: pki.untrusted });
    const untrusted = await failure(client(stranger.hostname, [`--proxy_hostname=127.0.0.1:${proxy.port}`]).post(PATHS.enroll, {}));
    assert.equal(untrusted.kind, 'untrusted', 'the tunnel does not weaken the certificate check');

    proxy.refuse = true;
    const refused = await failure(client(server.hostname, [`--proxy_hostname=127.0.0.1:${proxy.port}`]).post(PATHS.enroll, {}));
    assert.match(refused.message, /--proxy_hostname 127\.0\.0\.1:\d+: the proxy refused CONNECT 127\.0\.0\.1:\d+: HTTP\/1\.1 403 Forbidden/);
  } finally {
    await proxy.close();
  }
  const gone = await failure(client(server.hostname, [`--proxy_hostname=127.0.0.1:${proxy.port}`]).post(PATHS.enroll, {}));
  assert.match(gone.message, /--proxy_hostname 127\.0\.0\.1:\d+: connect ECONNREFUSED .*is the proxy running\?/);
  assert.throws(() => client(server.hostname, ['--proxy_hostname=127.0.0.1:3128', '--tls_allow_plain_http=true']), /--proxy_hostname is for HTTPS/);
});
