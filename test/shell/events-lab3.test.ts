/**
 * Lab 3 through quarryi: an interactive shell with --disable_events=false publishes file events into its
 * database; its own queries drain them; a one-shot `quarryi --database_path=DB --consumer=NAME` beside it drains the
 * same database for another consumer, committing only after printing. One-shot runs never publish.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateHome, quarryi, quarryiPath, repoRoot } from './quarryi.js';
import { tempDir } from '../temp-dir.js';

const root = tempDir('quarryi-lab3-');
const watched = join(root, 'filetest');
mkdirSync(watched);
const database = join(root, 'db', 'shell.db');
const config = join(root, 'osquery.conf');
writeFileSync(config, JSON.stringify({ file_paths: { monitor_this: [`${watched}/%%`] } }));

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A shell loop that polls the database until a file_events row is stored (at most ~20 s). */
function waitForStoredRow(): string {
  const probe = [process.execPath, quarryiPath, '--list', '--header=false', `--database_path=${database}`, '--consumer=probe', 'select count(*) from file_events where eid > 0']
    .map(shellQuote)
    .join(' ');
  return `for i in $(seq 1 40); do [ "$(${probe})" != "0" ] && break; sleep 0.5; done`;
}

test('a publishing shell drains its own file_events; a one-shot consumer drains the same database', () => {
  const oneShot = (consumer: string, sql: string) =>
    [process.execPath, quarryiPath, '--json', `--database_path=${database}`, `--consumer=${consumer}`, sql].map(shellQuote).join(' ');
  const steps = [
    { expect: 'quarry> $', timeout: 15 },
    { send: 'select name, type, active from osquery_events where active=1;\r', expect: '\\| file_events +\\| subscriber +\\| 1[\\s\\S]*quarry> $' },
    { send: 'select target_path, action from file_events;\r', expect: 'quarry> $' },
    // The shell's first drain is done; now create a file and wait until the publisher stored it (an eid-bounded
    // read is a window: it moves no cursor).
    { run: `touch ${shellQuote(join(watched, 'a.txt'))} && ${waitForStoredRow()}`, send: 'select target_path, action from file_events;\r', expect: 'a\\.txt \\| CREATED[\\s\\S]*quarry> $' },
    { send: 'select target_path, action from file_events;\r', expect: 'quarry> $' },
    { run: `${oneShot('lab', "select target_path, action from file_events where action = 'CREATED'")}; ${oneShot('lab', 'select count(*) as n from file_events')}` },
    { send: '.quit\r' },
  ];
  const spec = {
    argv: [process.execPath, quarryiPath, '--disable_events=false', `--config_path=${config}`, `--database_path=${database}`],
    env: { HOME: privateHome(), TERM: 'xterm' },
    steps,
  };
  const run = spawnSync('python3', [join(repoRoot, 'test/shell/pty-driver.py'), JSON.stringify(spec)], { encoding: 'utf8', timeout: 90_000 });
  const result = JSON.parse(run.stdout) as { transcript: string; exit: number; failed_step: number | null; runs: { stdout: string; stderr: string }[] };
  assert.equal(result.failed_step, null, result.transcript);
  assert.equal(result.exit, 0, result.transcript);
  // The shell's second read after the CREATED row shows nothing: it was drained for consumer `shell`.
  const afterCreate = result.transcript.split('a.txt | CREATED')[1] ?? '';
  const nextQuery = afterCreate.split('select target_path, action from file_events;')[1] ?? '';
  assert.ok(!nextQuery.includes('a.txt'), `drained rows are not shown twice:\n${result.transcript}`);
  // The one-shot consumer `lab` got the row (its own cursor), then nothing.
  const [drain, count] = result.runs.at(-1)!.stdout.split(/(?<=\]\n)/);
  assert.deepEqual(JSON.parse(drain ?? ''), [{ action: 'CREATED', target_path: join(watched, 'a.txt') }]);
  assert.deepEqual(JSON.parse(count ?? ''), [{ n: '0' }]);
  assert.equal(result.runs.at(-1)!.stderr, '', 'no "events are disabled" warning when draining a database another process fills');
});

test('one-shot runs never publish, even with --disable_events=false', () => {
  const home = privateHome();
  const run = quarryi(['--disable_events=false', `--config_path=${config}`, 'select name, active from osquery_events'], { env: { HOME: home } });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /\| inotify +\| 0 +\|/);
  assert.match(run.stdout, /\| file_events +\| 0 +\|/);
  const events = quarryi(['select * from file_events'], { env: { HOME: home } });
  assert.equal(events.status, 0);
  assert.equal(events.stdout, '');
  assert.match(events.stderr, /^W\d{4} \d\d:\d\d:\d\d\.\d{6} \d+ quarryi\] Table file_events is event-based but events are disabled\n$/);
});
