/**
 * Test helper: a real quarryd (bin/quarryd.js) pointed at a FleetServer with the flags osquery users set for Fleet.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QuarrydProcess, waitFor } from '../daemon/quarryd-process.js';
import { FleetServer, PATHS, type FleetServerOptions } from './fleet-server.js';
import { makeTestPki, type TestPki } from './test-pki.js';

const ENSURE = fileURLToPath(new URL('../../scripts/ensure-debian-packages.sh', import.meta.url));

export const SECRET = 'quarry-enroll-secret';

let pki: TestPki | undefined;
export function testPki(): TestPki {
  if (!pki) {
    execFileSync('sh', [ENSURE, 'openssl', '--', 'openssl'], { stdio: 'inherit' });
    pki = makeTestPki();
  }
  return pki;
}

export async function startFleetServer(options: FleetServerOptions = {}): Promise<FleetServer> {
  return new FleetServer({ tls: testPki().server, enrollSecret: SECRET, ...options }).start();
}

/** The flags that point quarryd at `server` (enroll with a secret file; every endpoint at Fleet's path). */
export function fleetFlags(server: FleetServer, dir: string): string[] {
  const secretFile = join(dir, 'enroll.secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  return [
    `--tls_hostname=${server.hostname}`,
    `--tls_server_certs=${testPki().caFile}`,
    `--enroll_secret_path=${secretFile}`,
    `--enroll_tls_endpoint=${PATHS.enroll}`,
    `--config_tls_endpoint=${PATHS.config}`,
    `--logger_tls_endpoint=${PATHS.log}`,
    `--distributed_tls_read_endpoint=${PATHS.read}`,
    `--distributed_tls_write_endpoint=${PATHS.write}`,
    '--logger_tls_period=1',
    '--tls_request_timeout=3',
    '--disable_events=true',
    `--extensions_socket=${join(dir, 'osquery.em')}`,
  ];
}

/** A quarryd (not started) whose flags point at `server`, plus `extra`. */
export function fleetQuarryd(server: FleetServer, extra: string[], options: { config?: object } = {}): QuarrydProcess {
  const dir = mkdtempSync(join(tmpdir(), 'quarryd-fleet-'));
  return new QuarrydProcess({ dir, flags: [...fleetFlags(server, dir), ...extra], ...(options.config ? { config: options.config } : {}) });
}

const workerPids = (d: QuarrydProcess) => [...d.stderr.matchAll(/started worker \((\d+)\)/g)].map((m) => Number(m[1]));

/**
 * kill -9 of the process that runs the agent: the worker under quarryd's watcher (which starts a new one), or
 * quarryd itself when it runs without a watcher (then it is started again here).
 */
export async function killNine(d: QuarrydProcess): Promise<void> {
  const pids = workerPids(d);
  if (pids.length === 0) {
    await d.stop('SIGKILL');
    await d.start();
    return;
  }
  process.kill(pids.at(-1)!, 'SIGKILL');
  await waitFor('the watcher to start a new worker', () => workerPids(d).length > pids.length, 30_000);
  await waitFor('the new worker\'s HTTP endpoint', () => (d.stderr.match(/HTTP endpoint/g) ?? []).length > pids.length, 30_000);
  // --http_port=0: the new worker listens on a port of its own
  d.url = [...d.stderr.matchAll(/HTTP endpoint (https?:\/\/\S+)/g)].at(-1)![1]!;
}

/** The servers and quarryds a test file started, cleaned up together (`after(() => lab.close())`). */
export class FleetLab {
  readonly servers: FleetServer[] = [];
  readonly daemons: QuarrydProcess[] = [];

  async server(options: FleetServerOptions = {}): Promise<FleetServer> {
    const server = await startFleetServer(options);
    this.servers.push(server);
    return server;
  }

  /** A quarryd (not started) pointed at `server`. */
  quarryd(server: FleetServer, flags: string[], config?: object): QuarrydProcess {
    const d = fleetQuarryd(server, flags, config ? { config } : {});
    this.daemons.push(d);
    return d;
  }

  /** A started server and a started quarryd pointed at it. */
  async started(flags: string[], config?: object): Promise<{ s: FleetServer; d: QuarrydProcess }> {
    const s = await this.server();
    const d = this.quarryd(s, flags, config);
    await d.start();
    return { s, d };
  }

  async close(): Promise<void> {
    for (const d of this.daemons) d.cleanup();
    for (const s of this.servers) await s.close();
  }
}
