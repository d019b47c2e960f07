/**
 * Runs every shell block of README.md and docs/ marked `<!-- runnable -->` (see docs/testing.md) with bash, from the
 * repository root, with a private HOME, and compares its output with the `<!-- output -->` block that follows, if any.
 * Blocks marked `<!-- runnable: daemon -->` run beside a real quarryd this test starts (audit off, any free port): the
 * endpoint `http://127.0.0.1:9710`, `var/http.token` and `var/log/` in the block are replaced by that quarryd's. Like
 * `npm start`, it watches /var/tmp/quarry-demo (created when missing and then removed, with the files the blocks make).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.js';
import { QuarrydProcess } from '../daemon/quarryd-process.js';
import { bookFiles, outputMatches, readBookFile, repoRoot, runnableBlocks, type RunnableBlock } from './markdown.js';

const blocks: RunnableBlock[] = bookFiles().flatMap((file) => runnableBlocks(file, readBookFile(file)));
const home = tempDir('quarry-docs-home-');
/** The directory examples/quarry.conf watches and `npm start` creates; made here when missing, removed after. */
const DEMO_DIR = '/var/tmp/quarry-demo';
let madeDemoDir = false;
let daemon: QuarrydProcess | undefined;

before(async () => {
  if (!blocks.some((block) => block.daemon)) return;
  if (!existsSync(DEMO_DIR)) {
    mkdirSync(DEMO_DIR, { recursive: true });
    madeDemoDir = true;
  }
  rmSync(join(DEMO_DIR, 'hello'), { force: true }); // the tour's file, left by a user's own tour: it must be new
  daemon = await new QuarrydProcess({ config: { schedule: {}, file_paths: { demo: [`${DEMO_DIR}/%%`] } } }).start();
});
after(async () => {
  await daemon?.stop();
  daemon?.cleanup();
  rmSync(join(DEMO_DIR, 'hello'), { force: true });
  if (madeDemoDir) rmSync(DEMO_DIR, { recursive: true, force: true });
});

function forDaemon(script: string, quarryd: QuarrydProcess): string {
  return script
    .replaceAll('http://127.0.0.1:9710', quarryd.url)
    .replaceAll('var/http.token', quarryd.tokenFile)
    .replaceAll('var/log/', join(quarryd.dir, 'log') + '/');
}

test('the book has runnable examples in the pages a newcomer reads first', () => {
  const files = new Set(blocks.map((block) => block.file));
  for (const file of ['README.md', 'docs/installation.md', 'docs/shell.md', 'docs/sql.md', 'docs/http-api.md']) assert.ok(files.has(file), `${file} has no runnable block`);
});

for (const block of blocks) {
  test(`${block.file}:${block.line} runs as written`, { timeout: 120_000 }, () => {
    const script = block.daemon ? forDaemon(block.script, daemon!) : block.script;
    const run = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', `exec 2>&1\n${script}`], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 110_000,
      env: { ...process.env, HOME: home, NO_COLOR: '1', npm_config_update_notifier: 'false' },
    });
    const output = run.stdout ?? '';
    assert.equal(run.status, block.exit, `exit status of:\n${script}\n--- output:\n${output}`);
    if (block.output !== undefined) assert.ok(outputMatches(block.output, output), `output of:\n${script}\n--- expected:\n${block.output}\n--- got:\n${output}`);
  });
}
