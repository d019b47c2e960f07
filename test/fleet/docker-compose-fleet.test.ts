/**
 * docker-compose.yml's `fleet` profile (Fleet + MySQL + Redis, and a quarryd enrolled in it), validated by Debian's
 * docker-compose; its quarryd flagfile is checked against quarryd's own flag parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Flags } from '@quarry/config';

const root = new URL('../../', import.meta.url).pathname;

function ensureDockerCompose(): void {
  const r = spawnSync('sh', [`${root}scripts/ensure-debian-packages.sh`, 'docker-compose', '--', 'docker-compose'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `docker-compose could not be installed: ${r.stderr}`);
}

function serviceBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const servicesText = text.slice(text.indexOf('services:\n') + 10, text.search(/^volumes:/m));
  for (const block of servicesText.split(/^(?=  [a-z][a-z0-9-]*:$)/m)) {
    const name = /^  ([a-z][a-z0-9-]*):$/m.exec(block)?.[1];
    if (name) blocks.set(name, block);
  }
  return blocks;
}

test('the fleet profile: Fleet with MySQL and Redis over TLS, and a quarryd enrolled in it beside the default one', () => {
  ensureDockerCompose();
  const config = spawnSync('docker-compose', ['-f', 'docker-compose.yml', '--profile', 'fleet', 'config'], { cwd: root, encoding: 'utf8' });
  assert.equal(config.status, 0, config.stderr);
  const blocks = serviceBlocks(config.stdout);
  for (const name of ['fleet-certs', 'mysql', 'redis', 'fleet', 'fleet-setup', 'quarryd-fleet']) {
    assert.match(blocks.get(name) ?? '', /profiles:\n\s+- fleet/, `${name} is in the fleet profile`);
  }
  const fleet = blocks.get('fleet')!;
  assert.match(fleet, /FLEET_MYSQL_ADDRESS: mysql:3306/);
  assert.match(fleet, /FLEET_REDIS_ADDRESS: redis:6379/);
  assert.match(fleet, /FLEET_SERVER_CERT: \/certs\/fleet\.pem/);
  assert.match(fleet, /127\.0\.0\.1:8080/);
  assert.match(blocks.get('quarryd-fleet')!, /--flagfile=\/etc\/quarry\/quarry-fleet\.flags/);

  // the flagfile parses with quarryd's flags and points at the lab's Fleet over TLS, beside the default quarryd
  const lines = readFileSync(`${root}deploy/fleet/quarry-fleet.flags`, 'utf8').split('\n').filter((l) => l.startsWith('--'));
  const { flags } = Flags.parse(lines, { mode: 'daemon' });
  assert.equal(flags.string('tls_hostname'), '127.0.0.1:8080');
  assert.equal(flags.string('config_plugin'), 'tls');
  assert.equal(flags.string('logger_plugin'), 'tls');
  assert.equal(flags.bool('disable_distributed'), false);
  assert.equal(flags.bool('tls_allow_plain_http'), false);
  assert.notEqual(flags.number('http_port'), 9710, 'not the default quarryd\'s port');
  const secret = readFileSync(`${root}deploy/fleet/enroll_secret`, 'utf8').trim();
  assert.match(readFileSync(`${root}deploy/fleet/enroll-secret.yml`, 'utf8'), new RegExp(`- secret: ${secret}$`, 'm'), 'fleetctl applies the secret quarryd sends');
});
