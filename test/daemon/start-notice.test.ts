/**
 * `npm start` (issue #10 item 9): the example flagfile turns kernel audit on; quarryd says so on the console and
 * prints how to start without it. What it prints must work: `npm start -- --disable_audit=true` appends the flag
 * after --flagfile=examples/quarry.flags, and a flag after the flagfile wins. Also `run-benches.mjs --help` and its
 * refusal of an unknown area.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@quarry/config';
import type { EventStatus } from '@quarry/events';
import { kernelFeaturesNotice } from '@quarry/daemon/kernel-features';

const root = new URL('../../', import.meta.url).pathname;
const AUDIT = 'auditeventpublisher';
const auditStatus = (active: number): EventStatus[] => [
  { name: AUDIT, publisher: AUDIT, type: 'publisher', subscriptions: 1, events: 0, refreshes: 0, active, status: '' },
];

test('npm start: the flags the start script passes turn audit on; the printed way to start without it turns it off', () => {
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start as string;
  const argv = /node bin\/quarryd\.js (.*)$/.exec(start)![1]!.split(' ');
  const started = Flags.parse(argv, { mode: 'daemon', cwd: root }).flags;
  assert.equal(started.bool('disable_audit'), false, 'the example flagfile turns audit on');
  const notice = kernelFeaturesNotice(auditStatus(1), started, AUDIT, { npm_lifecycle_event: 'start' });
  assert.ok(notice);
  assert.match(notice, /^Kernel audit is on \(--disable_audit=false\): quarryd took the kernel's audit pid and enabled audit, and loads the audit rules the config asks for \(--audit_allow_config=true\)/);
  const advice = /To start without it: npm start -- (.*)$/.exec(notice)![1]!;
  // what npm runs for `npm start -- <advice>`: the script's arguments, then the extra ones
  const without = Flags.parse([...argv, ...advice.split(' ')], { mode: 'daemon', cwd: root }).flags;
  assert.equal(without.bool('disable_audit'), true);
  // quarryd started directly gets the flag to add
  assert.match(kernelFeaturesNotice(auditStatus(1), started, AUDIT, {})!, /To start without it: add --disable_audit=true/);
  // nothing to say when the audit publisher is not running
  assert.equal(kernelFeaturesNotice(auditStatus(0), started, AUDIT, {}), undefined);
  assert.equal(kernelFeaturesNotice([], without, AUDIT, {}), undefined);
});

test('run-benches.mjs --help lists every area and what it needs; an unknown area exits 2 with the list', () => {
  const help = spawnSync(process.execPath, [join(root, 'scripts/run-benches.mjs'), '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  for (const area of ['sql', 'tables-host', 'fim', 'buffers', 'audit', 'http', 'daemon', 'yara']) assert.match(help.stdout, new RegExp(`^  ${area} +needs: \\S`, 'm'));
  assert.match(help.stdout, /^  audit +needs: root and kernel audit/m);
  assert.match(help.stdout, /bench\/daemon\/memory-attack\.ts/);
  const unknown = spawnSync(process.execPath, [join(root, 'scripts/run-benches.mjs'), 'sql', 'nosuch'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stdout, '', 'nothing ran');
  assert.match(unknown.stderr, /^unknown bench area: nosuch\n/);
  assert.match(unknown.stderr, /Areas:\n {2}sql +needs:/);
});
