/**
 * Workshop Interactive Lab 3 ("Viewing Events in osqueryi"), the file part, as the slides walk it:
 * plain quarryi shows osquery_events all zeros; then
 * `quarryi --disable_events=false --config_path=<tmp>/osquery.conf --flagfile=<tmp>/osquery.flags --database_path=<tmp>/db`
 * with the workshop's `"file_paths": { "monitor_this": [ "/var/tmp/filetest/%%" ] }` (a unique directory under /var/tmp
 * per run) on a pseudo-terminal: `select * from osquery_events where active=1` lists the file publisher and
 * file_events; `select * from file_events` is empty before anything happens, shows touched, created and deleted files
 * afterwards (compared with stat and sha256sum), and the next query shows only what happened since. A one-shot
 * `--database_path --consumer` run beside the shell drains the same rows for its own consumer.
 * (The user-events part of Lab 3, with su, is test/audit/lab3-shell.test.ts.)
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, parsePretty, PromptSession, quarryi, removePrivateHomes, type Row } from './workshop.js';

const work = mkdtempSync(join(tmpdir(), 'quarry-workshop-lab3-'));
const filetest = mkdtempSync('/var/tmp/filetest-');

after(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(filetest, { recursive: true, force: true });
  removePrivateHomes();
});

test('Lab 3: plain quarryi — osquery_events lists publishers and subscribers, all zeros', async () => {
  const run = await quarryi(['select * from osquery_events;']);
  assert.equal(run.status, 0, run.stderr);
  const rows = parsePretty(run.stdout);
  const names = rows.map((row) => row.name);
  for (const name of ['inotify', 'file_events', 'auditeventpublisher', 'process_events', 'user_events', 'socket_events']) assert.ok(names.includes(name), name);
  for (const row of rows) assert.deepEqual([row.subscriptions, row.events, row.refreshes, row.active], ['0', '0', '0', '0'], row.name);
});

test('Lab 3: file events in quarryi with the workshop config and flagfile', { timeout: 90_000 }, async () => {
  const config = join(work, 'osquery.conf');
  const flagfile = join(work, 'osquery.flags');
  const database = join(work, 'db');
  writeFileSync(config, `{\n  "file_paths": {\n    "monitor_this": [ "${filetest}/%%" ]\n  }\n}\n`);
  writeFileSync(flagfile, '# the workshop VM keeps its event flags here\n--events_expiry=3600\n--events_max=50000\n');
  const session = new PromptSession(['--disable_events=false', `--config_path=${config}`, `--flagfile=${flagfile}`, `--database_path=${database}`]);
  /** file_events rows printed by one query at the prompt. */
  const fileEvents = async (): Promise<Row[]> => parsePretty(await session.type('select * from file_events;'));
  try {
    await session.waitFor(/quarry> $/);
    const active = parsePretty(await session.type('select * from osquery_events where active=1;'));
    assert.deepEqual(
      active.map((row) => [row.name, row.publisher, row.type, row.subscriptions, row.active]),
      [
        ['inotify', 'inotify', 'publisher', '1', '1'],
        // device events (hardware_events), on whenever events are, as in osquery on Linux
        ['udev', 'udev', 'publisher', '1', '1'],
        ['file_events', 'inotify', 'subscriber', '1', '1'],
        // yara_events rides on the same publisher, as in osquery; no `yara` config, so no subscription.
        ['yara_events', 'inotify', 'subscriber', '0', '1'],
        ['hardware_events', 'udev', 'subscriber', '1', '1'],
      ],
    );
    assert.deepEqual(await fileEvents(), [], 'nothing happened in filetest yet');

    // "go to your filetest directory, and create or touch a few files" — and delete one.
    execFileSync('touch', [join(filetest, 'touched-1'), join(filetest, 'touched-2')]);
    writeFileSync(join(filetest, 'created.txt'), 'created by the workshop lab\n');
    mkdirSync(join(filetest, 'sub'));
    writeFileSync(join(filetest, 'sub', 'nested.txt'), 'one level down, still under %%\n');
    unlinkSync(join(filetest, 'touched-2'));
    const expected = [
      ['CREATED', 'touched-1'],
      ['CREATED', 'touched-2'],
      ['CREATED', 'created.txt'],
      ['CREATED', 'sub'],
      ['CREATED', 'sub/nested.txt'],
      ['DELETED', 'touched-2'],
    ].map(([action, name]) => `${action} ${join(filetest, name!)}`);
    const seen: Row[] = [];
    await eventually(
      async () => {
        seen.push(...(await fileEvents()));
        const actions = seen.map((row) => `${row.action} ${row.target_path}`);
        return expected.every((e) => actions.includes(e));
      },
      'the touched, created and deleted files in file_events',
      20_000,
      300,
    );
    const actions = seen.map((row) => `${row.action} ${row.target_path}`);
    // In the order they happened.
    assert.deepEqual(actions.filter((a) => expected.includes(a)), expected);
    for (const row of seen) {
      assert.equal(row.category, 'monitor_this');
      assert.ok(row.target_path!.startsWith(`${filetest}/`), row.target_path);
    }
    // The rows describe the files as stat and sha256sum see them.
    for (const name of ['created.txt', 'sub/nested.txt', 'touched-1']) {
      const path = join(filetest, name);
      const row = seen.find((r) => r.target_path === path && r.action === 'CREATED')!;
      const [inode, size, mode, uid] = execFileSync('stat', ['-c', '%i %s %a %u', path], { encoding: 'utf8' }).trim().split(' ');
      assert.deepEqual([row.inode, row.size, row.mode, row.uid], [inode, size, mode!.padStart(4, '0'), uid], path);
      assert.equal(row.sha256, execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0], path);
      assert.equal(row.hashed, '1');
    }
    // osquery_events counts what the publisher and subscriber saw.
    const counted = parsePretty(await session.type("select name, events from osquery_events where name in ('inotify', 'file_events');"));
    for (const row of counted) assert.ok(Number(row.events) >= expected.length, `${row.name} events ${row.events}`);

    // "the next query shows only what happened since"
    writeFileSync(join(filetest, 'later.txt'), 'after the first query\n');
    const since: Row[] = [];
    await eventually(
      async () => {
        since.push(...(await fileEvents()));
        return since.some((row) => row.target_path === join(filetest, 'later.txt'));
      },
      'later.txt in file_events',
      20_000,
      300,
    );
    for (const row of since) assert.ok(!expected.includes(`${row.action} ${row.target_path}`), `already read: ${row.action} ${row.target_path}`);
    assert.deepEqual(await fileEvents(), [], 'drained: nothing new');

    // Another process drains the same database for its own consumer while the shell keeps publishing.
    const beside = await quarryi([`--database_path=${database}`, '--consumer=workshop', '--json', 'select action, target_path from file_events;']);
    assert.equal(beside.status, 0, beside.stderr);
    const besideActions = (JSON.parse(beside.stdout) as Row[]).map((row) => `${row.action} ${row.target_path}`);
    for (const e of [...expected, `CREATED ${join(filetest, 'later.txt')}`]) assert.ok(besideActions.includes(e), `consumer workshop sees ${e}`);
    const again = await quarryi([`--database_path=${database}`, '--consumer=workshop', '--json', 'select action, target_path from file_events;']);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout || '[]'), [], 'the workshop consumer was drained');

    assert.equal(await session.exit(), 0, session.output.slice(-2000));
  } finally {
    session.kill();
    await session.exited;
  }
});
