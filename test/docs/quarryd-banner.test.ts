/**
 * quarryd prints, once it serves, how to query it (docs/daemon.md, the README's tour). The commands it prints must
 * work as shown: this test starts a real quarryd, takes the commands from its stderr and runs them with bash from a
 * directory outside the clone, as a user who pastes them into another terminal would.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { QuarrydProcess } from '../daemon/quarryd-process.js';
import { repoRoot } from './markdown.js';
import { tempDir } from '../temp-dir.js';

const quarryd = new QuarrydProcess({ config: { schedule: {} } });
after(async () => {
  await quarryd.stop();
  quarryd.cleanup();
});

/** Runs a pasted command from a directory outside the clone, as a user in another terminal would. */
function bash(script: string, input = ''): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
    cwd: tempDir('quarry-banner-cwd-'),
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HOME: tempDir('quarry-banner-home-'), npm_config_update_notifier: 'false' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('the commands in quarryd\'s start-up banner work as printed', { timeout: 120_000 }, async () => {
  await quarryd.start();
  const banner = /quarryd is running\. Bearer token file: .*\n(?: {2}.*\n)+/.exec(quarryd.stderr)?.[0];
  assert.ok(banner, `no banner in:\n${quarryd.stderr}`);
  assert.ok(banner.includes(`Bearer token file: ${quarryd.tokenFile}\n`));

  const curl = /Query it: +(curl [^\n]*\\\n[^\n]*)\n/.exec(banner)?.[1];
  assert.ok(curl, banner);
  const answer = bash(curl);
  assert.equal(answer.status, 0, answer.stderr);
  const body = JSON.parse(answer.stdout) as { columns: Array<{ name: string }>; rows: Array<Record<string, unknown>> };
  assert.deepEqual(body.columns.map((column) => column.name), ['days', 'hours', 'minutes', 'seconds', 'total_seconds']);
  assert.equal(body.rows.length, 1);

  const shell = /Or: +(cd \S+ && npx quarryi [^\n]*)\n/.exec(banner)?.[1];
  assert.ok(shell, banner);
  assert.ok(shell.startsWith(`cd ${repoRoot.replace(/\/$/, '')} && `), shell);
  const connected = bash(`${shell} --json`, 'select 40 + 2 as answer;\n');
  assert.equal(connected.status, 0, connected.stderr);
  assert.deepEqual(JSON.parse(connected.stdout), [{ answer: '42' }]);

  const results = /Results: +(\S+)\n/.exec(banner)?.[1];
  assert.equal(results, quarryd.resultsLog);
});
