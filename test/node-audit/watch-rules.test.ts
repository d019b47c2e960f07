// Watch rules (dir=/path=/perm fields, the rules `auditctl -w` adds) against the real kernel, checked with auditctl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditClient, auditPermLetters, auditPermValue, formatRule, sameRule, watchRule, type AuditRule } from 'node-audit';
import { tempDir } from '../temp-dir.js';
import { assertKernelAuditStateRestored, auditctl, auditctlRules, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, type KernelAuditState } from './audit-state.js';

let initial: KernelAuditState;
let dir: string;
let file: string;

before(() => {
  ensureAuditTools();
  initial = readKernelAuditState();
  dir = join(realpathSync(tempDir('quarry-watch-')), 'watched');
  mkdirSync(dir);
  file = join(dir, 'file.txt');
  writeFileSync(file, 'x');
});

after(async () => {
  await putBackKernelAuditState(initial);
  const now = readKernelAuditState();
  assertKernelAuditStateRestored(initial, now);
});

test('perm letters: every combination round-trips, in auditctl\'s order r w x a; bad letters are named', () => {
  assert.equal(auditPermValue('wa'), 10);
  assert.equal(auditPermValue('rwxa'), 15);
  assert.equal(auditPermLetters(6), 'rw');
  for (let value = 1; value <= 15; value++) assert.equal(auditPermValue(auditPermLetters(value)), value);
  assert.throws(() => auditPermValue('wz'), /"z": use only r \(read\), w \(write\), x \(execute\), a \(attribute change\)/);
  assert.throws(() => auditPermValue(''), /at least one of the letters/);
  assert.throws(() => watchRule({ dir: 'relative', perm: 'w' }), /must be an absolute path without a trailing slash/);
  assert.throws(() => watchRule({ dir: '/tmp/', perm: 'w' }), /without a trailing slash/);
  assert.throws(() => watchRule({ perm: 'w' }), /exactly one of dir or path/);
});

test('rules auditctl -w adds read back equal to watchRule(), and formatRule spells them as auditctl -l does', async () => {
  const client = AuditClient.open();
  try {
    const cases: Array<[string[], AuditRule]> = [
      [['-w', dir, '-p', 'wa', '-k', 'quarry-test'], watchRule({ dir, perm: 'wa', key: 'quarry-test' })],
      [['-w', file, '-p', 'rw', '-k', 'quarry-test'], watchRule({ path: file, perm: 'rw', key: 'quarry-test' })],
      [['-w', dir, '-p', 'x'], watchRule({ dir, perm: 'x' })],
    ];
    for (const [args] of cases) auditctl(...args);
    const listed = auditctlRules();
    const mine = (await client.listRules()).filter((r) => r.fields.some((f) => f.field === 'dir' || f.field === 'path'));
    assert.equal(mine.length, cases.length, JSON.stringify(mine));
    for (const [args, expected] of cases) {
      const readBack = mine.find((r) => sameRule(r, expected));
      assert.ok(readBack, `auditctl ${args.join(' ')} reads back as ${formatRule(expected)}: ${JSON.stringify(mine)}`);
      assert.ok(listed.includes(formatRule(expected)), `${formatRule(expected)} among ${JSON.stringify(listed)}`);
      assert.ok(listed.includes(formatRule(readBack)));
    }
    for (const [args] of cases) auditctl('-W', ...args.slice(1));
    assert.deepEqual(auditctlRules(), initial.rules);
  } finally {
    await client.close();
  }
});

test('watch rules added here show in auditctl -l as -w; a -F dir rule with an arch shows as -a; close deletes them', async () => {
  const client = AuditClient.open();
  const rules: AuditRule[] = [
    watchRule({ dir, perm: 'w', key: 'quarry-fim' }),
    watchRule({ path: file, perm: 'rw', key: 'quarry-fim' }),
    { list: 'exit', action: 'always', syscalls: 'all', fields: [{ field: 'arch', op: '=', value: 0xc000003e }, { field: 'dir', op: '=', value: dir }, { field: 'perm', op: '=', value: auditPermValue('r') }] },
  ];
  try {
    for (const rule of rules) await client.addRule(rule);
    const listed = auditctlRules();
    assert.ok(listed.includes(`-w ${dir} -p w -k quarry-fim`), JSON.stringify(listed));
    assert.ok(listed.includes(`-w ${file} -p rw -k quarry-fim`), JSON.stringify(listed));
    assert.ok(listed.includes(`-a always,exit -F arch=b64 -S all -F dir=${dir} -F perm=r`), JSON.stringify(listed));
    for (const rule of rules) assert.ok(listed.includes(formatRule(rule)), `${formatRule(rule)} among ${JSON.stringify(listed)}`);
  } finally {
    await client.close();
  }
  assert.deepEqual(auditctlRules(), initial.rules, 'close deleted the watch rules');
});

test('the kernel refuses a dir rule for a directory that does not exist, and the error says which rule', async () => {
  const client = AuditClient.open();
  try {
    await assert.rejects(client.addRule(watchRule({ dir: join(dir, 'missing', 'deeper'), perm: 'w' })), (e: unknown) => e instanceof Error && /add audit rule/.test(e.message));
  } finally {
    await client.close();
  }
  assert.deepEqual(auditctlRules(), initial.rules);
});
