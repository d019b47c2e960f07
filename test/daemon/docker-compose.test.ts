import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('../../', import.meta.url).pathname;

function ensureDockerCompose(): void {
  if (spawnSync('sh', ['-c', 'command -v docker-compose']).status === 0) return;
  let r = spawnSync('apt-get', ['install', '-y', '-q', 'docker-compose'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { encoding: 'utf8' });
    r = spawnSync('apt-get', ['install', '-y', '-q', 'docker-compose'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  assert.equal(r.status, 0, `apt-get install docker-compose failed: ${r.stderr}`);
}

test("docker-compose.yml is valid for Debian's docker-compose, with the metrics profile", () => {
  ensureDockerCompose();
  const config = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: root, encoding: 'utf8' });
  assert.equal(config.status, 0, config.stderr);
  const text = config.stdout;
  assert.match(text, /privileged: true/);
  assert.match(text, /pid: host/);
  assert.match(text, /network_mode: host/);
  assert.match(text, /AUDIT_CONTROL/);
  assert.match(text, /AUDIT_READ/);
  const services = spawnSync('docker-compose', ['-f', 'docker-compose.yml', '--profile', 'metrics', 'config', '--services'], { cwd: root, encoding: 'utf8' });
  assert.equal(services.status, 0, services.stderr);
  // the fleet profile's services are checked by test/fleet/docker-compose-fleet.test.ts
  const fleetProfile = ['fleet', 'fleet-certs', 'fleet-setup', 'mysql', 'quarryd-fleet', 'redis'];
  assert.deepEqual(services.stdout.trim().split('\n').filter((name) => !fleetProfile.includes(name)).sort(), ['node-exporter', 'prometheus', 'quarryd']);
  // docker-compose 1.29 lists every service whatever the profile: check the profiles in the resolved config
  const blocks = new Map<string, string>();
  const servicesText = text.slice(text.indexOf('services:\n') + 10, text.search(/^volumes:/m));
  for (const block of servicesText.split(/^(?=  [a-z][a-z0-9-]*:$)/m)) {
    const name = /^  ([a-z][a-z0-9-]*):$/m.exec(block)?.[1];
    if (name) blocks.set(name, block);
  }
  assert.doesNotMatch(blocks.get('quarryd') ?? '', /profiles:/);
  assert.match(blocks.get('prometheus') ?? '', /profiles:\n\s+- metrics/);
  assert.match(blocks.get('node-exporter') ?? '', /profiles:\n\s+- metrics/);
  assert.ok(existsSync(`${root}deploy/prometheus/prometheus.yml`));
  assert.ok(existsSync(`${root}deploy/quarry/quarry.flags`));
});
