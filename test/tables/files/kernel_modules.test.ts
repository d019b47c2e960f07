import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { kernel_modules } from '@quarry/tables/files/index';
import { engineWith, rows, tool } from '../host-context.js';

test('kernel_modules lists what lsmod lists (none when the kernel has no /proc/modules)', async () => {
  const engine = await engineWith(kernel_modules);
  const got = rows(engine, 'SELECT name, size, used_by, status FROM kernel_modules');
  const lsmod = tool('lsmod', []);
  if (lsmod !== null) {
    const lines = lsmod.trim().split('\n').slice(1);
    assert.equal(got.length, lines.length);
    for (const line of lines) {
      const [name, size] = line.split(/\s+/);
      assert.equal(got.find((r) => r.name === name)?.size, Number(size), name);
    }
  } else if (existsSync('/proc/modules')) {
    assert.equal(got.length, readFileSync('/proc/modules', 'utf8').split('\n').filter(Boolean).length);
  } else {
    assert.equal(got.length, 0, 'a missing source gives no rows');
  }
  for (const row of got) assert.ok(['Live', 'Loading', 'Unloading'].includes(String(row.status)));
});
