/**
 * The Markdown readers the docs tests rely on: GitHub's heading anchors, runnable-block markers, and the output
 * comparison with its `...` wildcards. A mistake here would let a broken link or a wrong example pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anchors, links, outputMatches, runnableBlocks } from './markdown.js';

test('anchors follow GitHub: punctuation dropped, spaces to dashes, repeats numbered, code blocks ignored', () => {
  const text = [
    '# quarryd — the daemon',
    '## Interactive Lab 2 — Shell & Simple SQL',
    '## `--connect`: the shell against a running quarryd',
    '## Differences from osquery',
    '```sh',
    '# not a heading',
    '```',
    '## Differences from osquery',
  ].join('\n');
  assert.deepEqual([...anchors(text)], [
    'quarryd--the-daemon',
    'interactive-lab-2--shell--simple-sql',
    '--connect-the-shell-against-a-running-quarryd',
    'differences-from-osquery',
    'differences-from-osquery-1',
  ]);
});

test('links are read outside code blocks and inline code', () => {
  const text = 'See [a](a.md#x) and `[b](b.md)`.\n```\n[c](c.md)\n```\n[d](https://example.org "title")';
  assert.deepEqual(links(text).map((link) => link.target), ['a.md#x', 'https://example.org']);
});

test('runnable markers: options, expected output, and markers shown inside a code block are not run', () => {
  const text = [
    '<!-- runnable: daemon exit=2 -->',
    '```sh',
    'false',
    '```',
    '',
    '<!-- output -->',
    '```text',
    'out',
    '```',
    '````markdown',
    '<!-- runnable -->',
    '```sh',
    'echo shown',
    '```',
    '````',
    '<!-- runnable -->',
    '```sh',
    'echo plain',
    '```',
  ].join('\n');
  const blocks = runnableBlocks('x.md', text);
  assert.deepEqual(blocks.map((b) => [b.script, b.daemon, b.exit, b.output]), [
    ['false', true, 2, 'out'],
    ['echo plain', false, 0, undefined],
  ]);
  assert.throws(() => runnableBlocks('y.md', '<!-- runnable: sudo -->\n```sh\nid\n```'), /y\.md:1: unknown runnable option "sudo"/);
  assert.throws(() => runnableBlocks('z.md', '<!-- runnable -->\ntext'), /z\.md:1: a runnable marker must be followed by a ```sh block/);
});

test('expected output: exact lines, `...` lines for any lines, `...` in a line for any text', () => {
  assert.ok(outputMatches('a\nb', 'a  \nb\n'));
  assert.ok(!outputMatches('a\nb', 'a\nb\nc'));
  assert.ok(outputMatches('a\n...\nc', 'a\nc'));
  assert.ok(outputMatches('a\n...\nc', 'a\nx\ny\nc'));
  assert.ok(outputMatches('W... quarryi] warned (x)', 'W1204 16:50:32.493912 21194 quarryi] warned (x)'));
  assert.ok(!outputMatches('W... quarryi] warned', 'W1204 quarryd] warned'));
});
