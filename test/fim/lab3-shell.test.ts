/**
 * Workshop Lab 3 end to end: `quarryi --disable_events=false --config_path=...` with
 * {"file_paths": {"monitor_this": ["<dir>/%%"]}} in an interactive session (a pseudo-terminal through `script`):
 * osquery_events shows the active publisher and subscriber, file changes appear in file_events, the next query
 * returns only newer rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { tempTree, waitFor } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('Lab 3: events in quarryi', { timeout: 60_000 }, async () => {
  const tree = tempTree('quarry-lab3-');
  const work = mkdtempSync(`${tmpdir()}/quarry-lab3-conf-`);
  const config = `${work}/osquery.conf`;
  writeFileSync(config, JSON.stringify({ file_paths: { monitor_this: [`${tree.dir}/%%`] } }));
  const command = [process.execPath, `${root}bin/quarryi.js`, '--disable_events=false', `--config_path=${config}`, `--database_path=${work}/db`]
    .map((a) => `'${a}'`)
    .join(' ');
  const shell = spawn('script', ['-qfec', command, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'dumb' } });
  let output = '';
  shell.stdout.on('data', (d: Buffer) => (output += d.toString()));
  shell.stderr.on('data', (d: Buffer) => (output += d.toString()));
  /** Sends one statement and returns the output it produced (up to the next prompt). */
  const run = async (sql: string): Promise<string> => {
    const start = output.length;
    shell.stdin.write(sql + '\n');
    // The statement is done when the next prompt appears.
    await waitFor(() => output.slice(start).includes('quarry>'), `the prompt after ${sql}`, 15_000);
    return output.slice(start);
  };
  try {
    await waitFor(() => output.includes('quarry>'), 'the prompt', 20_000);
    const active = await run('select name, type from osquery_events where active=1;');
    assert.match(active, /inotify\s+\|\s+publisher/);
    assert.match(active, /file_events\s+\|\s+subscriber/);

    writeFileSync(`${tree.dir}/a`, '');
    writeFileSync(`${tree.dir}/b`, 'hello\n');
    unlinkSync(`${tree.dir}/a`);
    mkdirSync(`${tree.dir}/d`);
    writeFileSync(`${tree.dir}/d/e`, 'x');
    renameSync(`${tree.dir}/b`, `${tree.dir}/f`);
    let first = '';
    for (let i = 0; i < 20 && !/MOVED_TO/.test(first); i++) {
      await new Promise((r) => setTimeout(r, 300));
      first += await run('select action, target_path from file_events;');
    }
    for (const expected of [
      ['CREATED', `${tree.dir}/a`],
      ['CREATED', `${tree.dir}/b`],
      ['DELETED', `${tree.dir}/a`],
      ['CREATED', `${tree.dir}/d`],
      ['CREATED', `${tree.dir}/d/e`],
      ['MOVED_FROM', `${tree.dir}/b`],
      ['MOVED_TO', `${tree.dir}/f`],
    ]) {
      assert.match(first, new RegExp(`${expected[0]}\\s+\\|\\s+${expected[1]}\\s`), `${expected.join(' ')} in\n${first}`);
    }
    writeFileSync(`${tree.dir}/g`, 'new');
    let next = '';
    for (let i = 0; i < 20 && !next.includes(`${tree.dir}/g`); i++) {
      await new Promise((r) => setTimeout(r, 300));
      next += await run('select action, target_path from file_events;');
    }
    assert.match(next, new RegExp(`CREATED\\s+\\|\\s+${tree.dir}/g\\s`));
    assert.doesNotMatch(next, new RegExp(`${tree.dir}/d/e`), 'the next query returns only newer rows');
    shell.stdin.write('.quit\n');
    await new Promise((r) => shell.once('exit', r));
  } finally {
    shell.kill();
    tree.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});
