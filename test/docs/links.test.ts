/**
 * Every relative link in README.md and docs/ resolves inside the repository: the file exists and, with a #anchor,
 * the target page has that heading. Links to other sites are not fetched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { anchors, bookFiles, links, readBookFile, repoRoot } from './markdown.js';

test('every relative link in README.md and docs/ names a file inside the repository and an anchor it has', () => {
  const problems: string[] = [];
  for (const file of bookFiles()) {
    for (const link of links(readBookFile(file))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue; // https:, mailto:
      const [path = '', anchor] = link.target.split('#', 2);
      const target = path === '' ? resolve(repoRoot, file) : resolve(repoRoot, dirname(file), decodeURIComponent(path));
      const where = `${file}:${link.line}: ${link.target}`;
      if (!(target + sep).startsWith(repoRoot) && target + sep !== repoRoot) {
        problems.push(`${where} points outside the repository`);
        continue;
      }
      if (!existsSync(target)) {
        problems.push(`${where}: no such file`);
        continue;
      }
      if (anchor !== undefined) {
        if (statSync(target).isDirectory() || !target.endsWith('.md')) {
          problems.push(`${where}: an anchor on a file that is not Markdown`);
          continue;
        }
        const text = readBookFile(target.slice(repoRoot.length));
        if (!anchors(text).has(anchor)) problems.push(`${where}: ${join(path || file)} has no heading with anchor #${anchor}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('the book has every page of its table of contents, and docs/README.md links to each page', () => {
  const pages = ['installation', 'workshop', 'shell', 'sql', 'tables', 'events', 'buffers', 'audit', 'yara', 'daemon', 'logging', 'http-api', 'fleet', 'extensions', 'flags', 'configuration', 'deployment', 'performance', 'differences', 'architecture', 'testing'];
  const contents = readBookFile('docs/README.md');
  for (const page of pages) {
    assert.ok(existsSync(join(repoRoot, 'docs', `${page}.md`)), `docs/${page}.md is missing`);
    assert.ok(contents.includes(`](${page}.md)`), `docs/README.md does not link to ${page}.md`);
    assert.match(readBookFile(`docs/${page}.md`), /^# \S/, `docs/${page}.md must start with a # Title line`);
  }
});

test('README.md stays short and begins with the two commands', () => {
  const readme = readBookFile('README.md');
  assert.ok(readme.split('\n').length <= 260, `README.md has ${readme.split('\n').length} lines; move detail into docs/`);
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = firstBlock.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);
  assert.deepEqual(commands, ['npm ci && npm start', 'npm ci && npm test']);
});
