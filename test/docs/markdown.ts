/**
 * Reading the book: the Markdown files of README.md and docs/, their headings' anchors (GitHub's slugs), their
 * relative links, and the shell blocks marked as runnable (docs/testing.md describes the markers).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headings, proseLines } from '../../scripts/docs/markdown.mjs';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** README.md and every docs/*.md, as paths relative to the repository. */
export function bookFiles(): string[] {
  const docs = readdirSync(join(repoRoot, 'docs')).filter((name) => name.endsWith('.md')).sort();
  return ['README.md', ...docs.map((name) => join('docs', name))];
}

export function readBookFile(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

/** Every anchor a file's headings make, with GitHub's -1, -2 suffixes for repeated headings. */
export function anchors(text: string): Set<string> {
  return new Set(headings(text).map((heading) => heading.anchor));
}

export interface Link {
  readonly target: string;
  readonly line: number;
}

/** Every Markdown link `[text](target)` outside code blocks and inline code. */
export function links(text: string): Link[] {
  const out: Link[] = [];
  for (const { line, number } of proseLines(text)) {
    const withoutCode = line.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: match[1]!, line: number });
  }
  return out;
}

export interface RunnableBlock {
  readonly file: string;
  readonly line: number;
  readonly script: string;
  /** Needs a running quarryd (`<!-- runnable: daemon -->`). */
  readonly daemon: boolean;
  /** The exit status the block must end with (`exit=N`; 0 unless given). */
  readonly exit: number;
  /** The text of the `<!-- output -->` block that follows, if any. */
  readonly output: string | undefined;
}

/** The fenced block starting at `lines[start]` (a fence line): its content and the index after its closing fence. */
function fencedBlock(lines: string[], start: number): { content: string; next: number } {
  const fence = /^\s*(```+|~~~+)/.exec(lines[start]!)![1]!;
  let end = start + 1;
  while (end < lines.length && !lines[end]!.trimStart().startsWith(fence)) end += 1;
  return { content: lines.slice(start + 1, end).join('\n'), next: end + 1 };
}

/** Every `<!-- runnable ... -->` shell block of a file, with its expected output if marked. */
export function runnableBlocks(file: string, text: string): RunnableBlock[] {
  const lines = text.split('\n');
  const blocks: RunnableBlock[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (/^\s*(```+|~~~+)/.test(lines[i]!)) {
      i = fencedBlock(lines, i).next - 1; // markers shown inside a code block (as in docs/testing.md) are examples
      continue;
    }
    const marker = /^<!--\s*runnable(?::\s*([^>]*?))?\s*-->\s*$/.exec(lines[i]!);
    if (!marker) continue;
    const options = (marker[1] ?? '').split(/[\s,]+/).filter(Boolean);
    let at = i + 1;
    if (!/^```(sh|bash)\s*$/.test(lines[at] ?? '')) throw new Error(`${file}:${i + 1}: a runnable marker must be followed by a \`\`\`sh block`);
    const block = fencedBlock(lines, at);
    at = block.next;
    while (lines[at]?.trim() === '') at += 1;
    let output: string | undefined;
    if (/^<!--\s*output\s*-->\s*$/.test(lines[at] ?? '')) {
      at += 1;
      if (!/^```/.test(lines[at] ?? '')) throw new Error(`${file}:${at}: an output marker must be followed by a fenced block`);
      output = fencedBlock(lines, at).content;
    }
    const exitOption = options.find((option) => option.startsWith('exit='));
    for (const option of options) {
      if (option !== 'daemon' && !option.startsWith('exit=')) throw new Error(`${file}:${i + 1}: unknown runnable option "${option}" (known: daemon, exit=N)`);
    }
    blocks.push({ file, line: i + 2, script: block.content, daemon: options.includes('daemon'), exit: exitOption ? Number(exitOption.slice(5)) : 0, output });
    i = output === undefined ? block.next - 1 : fencedBlock(lines, at).next - 1;
  }
  return blocks;
}

/** One expected line as a test: `...` inside a line stands for any text (a timestamp, a pid). */
function lineMatcher(expected: string): (line: string) => boolean {
  if (!expected.includes('...')) return (line) => line === expected;
  const pattern = new RegExp(`^${expected.split('...').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (line) => pattern.test(line);
}

/**
 * Whether `actual` matches the expected output: lines are compared with trailing spaces dropped; a line that is
 * exactly `...` matches any number of lines (none too), and `...` inside a line any text.
 */
export function outputMatches(expected: string, actual: string): boolean {
  const want = expected.split('\n').map((l) => l.trimEnd());
  const got = actual.replace(/\n+$/, '').split('\n').map((l) => l.trimEnd());
  const matchers = want.map(lineMatcher);
  const match = (w: number, g: number): boolean => {
    if (w === want.length) return g === got.length;
    if (want[w] === '...') {
      for (let skip = g; skip <= got.length; skip += 1) if (match(w + 1, skip)) return true;
      return false;
    }
    return g < got.length && matchers[w]!(got[g]!) && match(w + 1, g + 1);
  };
  return match(0, 0);
}

export function relativeToRoot(path: string): string {
  return relative(repoRoot, path);
}
