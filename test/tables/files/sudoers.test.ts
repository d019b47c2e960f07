import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSudoersTable, sudoers } from '@quarry/tables/files/index';
import { engineWith, rows } from '../host-context.js';

test('sudoers follows includes and includedirs, joins continuation lines and skips comments', async () => {
  const root = mkdtempSync(join(tmpdir(), 'quarry-sudoers-'));
  try {
    const main = join(root, 'sudoers');
    const dropins = join(root, 'sudoers.d');
    mkdirSync(dropins);
    writeFileSync(main, ['# comment', 'Defaults\tenv_reset', 'root ALL=(ALL:ALL) ALL', '%admin ALL=(ALL) \\', '  NOPASSWD: ALL', `@includedir ${dropins}`, '#include extra', ''].join('\n'));
    writeFileSync(join(root, 'extra'), 'alice ALL=(ALL) /usr/bin/true\n');
    writeFileSync(join(dropins, 'bob'), 'bob ALL=(ALL) ALL\n');
    writeFileSync(join(dropins, 'skipped.bak'), 'mallory ALL=(ALL) ALL\n');
    writeFileSync(join(dropins, 'skipped~'), 'eve ALL=(ALL) ALL\n');
    const engine = await engineWith(createSudoersTable(main));
    const got = rows(engine, 'SELECT source, header, rule_details FROM sudoers').map((r) => ({ ...r }));
    assert.deepEqual(got, [
      { source: main, header: 'Defaults', rule_details: 'env_reset' },
      { source: main, header: 'root', rule_details: 'ALL=(ALL:ALL) ALL' },
      { source: main, header: '%admin', rule_details: 'ALL=(ALL)   NOPASSWD: ALL' },
      { source: main, header: '@includedir', rule_details: dropins },
      { source: join(dropins, 'bob'), header: 'bob', rule_details: 'ALL=(ALL) ALL' },
      { source: main, header: '#include', rule_details: 'extra' },
      { source: join(root, 'extra'), header: 'alice', rule_details: 'ALL=(ALL) /usr/bin/true' },
    ]);
    // The default table reads /etc/sudoers, which may be missing: no rows, no error.
    const system = await engineWith(sudoers);
    assert.ok(Array.isArray(rows(system, 'SELECT * FROM sudoers')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
