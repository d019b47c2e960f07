import { test } from 'node:test';
import assert from 'node:assert/strict';
import { select } from '../engine.js';
import { run } from '../system-tools.js';

test('kernel_info version is uname -r and its arguments come from the kernel command line', () => {
  const [row] = select('kernel_info');
  assert.ok(row);
  assert.equal(row.version, run('uname', ['-r']).trim());
  const cmdline = run('cat', ['/proc/cmdline']).trim().split(/\s+/);
  const expected = cmdline.filter((t) => !t.startsWith('BOOT_IMAGE=') && !t.startsWith('root='));
  assert.equal(row.arguments, expected.join(' '));
});
