import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { system_controls } from '@quarry/tables/files/index';
import { engineWith, mustRun, rows, sqlText, tool } from '../host-context.js';

test('system_controls current_value equals sysctl -n; config_value comes from sysctl.d', async () => {
  mkdirSync('/etc/sysctl.d', { recursive: true });
  const config = `/etc/sysctl.d/99-quarry-test-${process.pid}.conf`;
  writeFileSync(config, '# test\nvm.swappiness = 13\nkernel/pid_max=4194304\n');
  try {
    const engine = await engineWith(system_controls);
    const names = ['kernel.hostname', 'kernel.pid_max', 'vm.swappiness', 'net.ipv4.ip_forward', 'net.ipv4.ip_local_port_range', 'kernel.ostype'];
    for (const name of names) {
      const expected = tool('sysctl', ['-n', name]);
      const got = rows(engine, `SELECT * FROM system_controls WHERE name = ${sqlText(name)}`);
      if (expected === null) {
        assert.equal(got.length, 0, `${name} is absent here`);
        continue;
      }
      assert.equal(got.length, 1, name);
      assert.equal(got[0]!.current_value, expected.trim(), name);
      assert.equal(got[0]!.subsystem, name.split('.')[0]);
      assert.equal(got[0]!.type, 'string');
    }
    const configured = rows(engine, "SELECT name, config_value FROM system_controls WHERE name IN ('vm.swappiness', 'kernel.pid_max')");
    for (const row of configured) assert.equal(row.config_value, row.name === 'vm.swappiness' ? '13' : '4194304');

    const all = rows(engine, 'SELECT name FROM system_controls');
    const listed = mustRun('sysctl', ['-a', '-N']).split('\n').filter(Boolean);
    const ours = new Set(all.map((r) => r.name));
    const missing = listed.filter((name) => !ours.has(name) && tool('sysctl', ['-n', name]) !== null);
    assert.deepEqual(missing, [], 'every readable sysctl is listed');
  } finally {
    rmSync(config, { force: true });
  }
});
