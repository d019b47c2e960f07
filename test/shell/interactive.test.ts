/**
 * The interactive shell through a real pseudo-terminal (python3's pty module): banner, prompts, continuation,
 * .mode line, history file, Ctrl-C cancelling a running query and a typed line, Tab completion, Ctrl-D.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { privateHome, quarryiPath, repoRoot } from './quarryi.js';

interface Step {
  send?: string;
  expect?: string | null;
  timeout?: number;
}

/** TERM=xterm: Node's readline offers completion and history only on a capable terminal (TERM=dumb is bare). */
function drive(steps: Step[], home: string, extraArgs: string[] = []): { transcript: string; exit: number | null; failed_step: number | null } {
  const spec = { argv: [process.execPath, quarryiPath, ...extraArgs], env: { HOME: home, TERM: 'xterm' }, steps };
  const run = spawnSync('python3', [join(repoRoot, 'test/shell/pty-driver.py'), JSON.stringify(spec)], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return JSON.parse(run.stdout);
}

const LONG_QUERY =
  'select count(*) from (with recursive c(x) as (select 1 union all select x+1 from c) select x from c limit 100000000);';

test('prompts, continuation, .mode line, Ctrl-C on a running query, history, Ctrl-D', () => {
  const home = privateHome();
  const started = Date.now();
  const result = drive(
    [
      { expect: "Using a .*virtual database.*\\. Need help, type '\\.help'[\\s\\S]*quarry> $" },
      { send: 'select 6 *\r', expect: '    \\.\\.\\.> $' },
      { send: '7 as answer;\r', expect: '\\| answer \\|[\\s\\S]*\\| 42     \\|[\\s\\S]*quarry> $' },
      { send: '.mode line\r', expect: 'quarry> $' },
      { send: "select 'x' as a, 2 as bb; select 3 as c;\r", expect: '    a = x\r?\n   bb = 2\r?\n    c = 3\r?\n[\\s\\S]*quarry> $' },
      { send: LONG_QUERY + '\r', expect: null, timeout: 1 },
      { send: '\x03', expect: 'Error: .*interrupted[\\s\\S]*quarry> $', timeout: 10 },
      { send: 'select 1 as after;\r', expect: 'after = 1[\\s\\S]*quarry> $' },
      { send: 'select this is abandoned', expect: 'abandoned$' },
      { send: '\x03', expect: 'quarry> $' },
      { send: '\x04', expect: null, timeout: 1 },
    ],
    home,
  );
  assert.equal(result.failed_step, null, result.transcript);
  assert.equal(result.exit, 1, 'an interrupted statement counts as an error, as in osqueryi');
  assert.ok(Date.now() - started < 30_000);
  assert.ok(!/this is abandoned[\s\S]*Error/.test(result.transcript), 'a cancelled line is not run');
  const historyPath = join(home, '.quarry', '.history');
  const history = readFileSync(historyPath, 'utf8');
  assert.ok(history.includes('select 6 *\n7 as answer;\n'), history);
  assert.ok(history.includes('.mode line\n'));
  assert.equal(statSync(join(home, '.quarry')).mode & 0o777, 0o700);
  assert.equal(statSync(historyPath).mode & 0o777, 0o600);
});

test('history from an earlier session is recalled with the up arrow', () => {
  const home = privateHome();
  drive([{ expect: 'quarry> $' }, { send: "select 'remembered' as r;\r", expect: 'remembered[\\s\\S]*quarry> $' }, { send: '\x04' }], home);
  const result = drive(
    [{ expect: 'quarry> $' }, { send: '\x1b[A', expect: "select 'remembered' as r;$" }, { send: '\r', expect: 'remembered \\|[\\s\\S]*quarry> $' }, { send: '.exit\r' }],
    home,
  );
  assert.equal(result.failed_step, null, result.transcript);
  assert.equal(result.exit, 0);
});

test('Tab completes dot commands and table names', () => {
  const home = privateHome();
  const result = drive(
    [
      { expect: 'quarry> $' },
      // Each Tab is its own write: readline treats a Tab inside a multi-character chunk as pasted text.
      { send: '.sch', expect: '\\.sch$' },
      { send: '\t', expect: '\\.schema$' },
      { send: ' upti', expect: 'upti$' },
      { send: '\t', expect: '\\.schema uptime$' },
      { send: '\r', expect: 'CREATE TABLE uptime\\(`days` INTEGER[\\s\\S]*quarry> $' },
      { send: 'select total_sec', expect: 'total_sec$' },
      { send: '\t', expect: 'select total_seconds$' },
      { send: ' from uptime;\r', expect: 'total_seconds[\\s\\S]*quarry> $' },
      { send: '.quit\r' },
    ],
    home,
  );
  assert.equal(result.failed_step, null, result.transcript);
  assert.equal(result.exit, 0);
});
