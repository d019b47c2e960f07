/**
 * Which files an augeas query must load and which tree nodes it must match, from its constraints:
 *  - path = (and IN): those files only, patterns /files<path> and /files<path>//* (osquery's patterns);
 *  - node =: the node expressions themselves (osquery), loading only the file each names when that can be told;
 *  - path LIKE / node LIKE: the files the pattern can name (LIKE wildcards within one path segment), SQLite then
 *    applies the LIKE to the rows;
 *  - anything else: every file of every lens (osquery's unconstrained behaviour, slow).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { QueryContext } from '@quarry/sql';
import { augeasPathOf } from './augeas-tree.js';

export interface AugeasPlan {
  /** Files to load one by one, or 'all' for every file of every lens. */
  files: string[] | 'all';
  /** Augeas path expressions whose matches become rows. */
  patterns: string[];
  /** Files the user named by path = (their parse errors are reported). */
  named: string[];
}

const FILES_PREFIX = '/files';
/** Characters of augeas' path expression language that make a node expression name more than one literal path. */
const EXPRESSION_SYNTAX = /[[\]*()|$'"=!<>,\\]/;

function kindOf(root: string, path: string): 'file' | 'directory' | 'other' | 'missing' {
  try {
    const stat = lstatSync(join(root, path));
    if (stat.isFile()) return 'file';
    if (stat.isDirectory()) return 'directory';
    return 'other';
  } catch {
    return 'missing';
  }
}

/** The regular file a literal node path lies in (the first prefix that is a regular file), if any. */
export function fileOfNode(root: string, node: string): string | undefined {
  if (!node.startsWith(`${FILES_PREFIX}/`) || EXPRESSION_SYNTAX.test(node)) return undefined;
  const segments = node.slice(FILES_PREFIX.length).split('/').filter(Boolean);
  let path = '';
  for (const segment of segments) {
    path = `${path}/${segment}`;
    const kind = kindOf(root, path);
    if (kind === 'file') return path;
    if (kind !== 'directory') return undefined;
  }
  return undefined;
}

/** SQLite's LIKE as a regular expression (ASCII case-insensitive, `%` any run, `_` any one character). */
function likeExpression(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

/** Most directory entries a path LIKE may walk before the query loads every lens's files instead. */
const LIKE_WALK_LIMIT = 20000;

/**
 * The regular files a path LIKE pattern names: the files under the directory of its literal prefix whose path
 * matches the pattern (symlinks not followed), or undefined when that cannot be told cheaply.
 */
export function filesOfLike(root: string, pattern: string): string[] | undefined {
  const wildcard = pattern.search(/[%_]/);
  if (!pattern.startsWith('/')) return undefined;
  if (wildcard < 0) return kindOf(root, pattern) === 'file' ? [pattern] : [];
  const base = pattern.slice(0, pattern.lastIndexOf('/', wildcard)) || '/';
  const matcher = likeExpression(pattern);
  const files: string[] = [];
  const pending = [base === '/' ? '' : base];
  let walked = 0;
  while (pending.length > 0) {
    const directory = pending.pop() as string;
    let entries;
    try {
      entries = readdirSync(join(root, directory || '/'), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (++walked > LIKE_WALK_LIMIT) return undefined;
      const path = `${directory}/${entry.name}`;
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile() && matcher.test(path)) files.push(path);
    }
  }
  return files.sort();
}

/**
 * The files a node LIKE pattern names: its literal segments before the first `%` are walked (`_` matching one
 * character of a name) until each branch reaches a regular file; undefined when a branch ends in a directory.
 */
function filesOfNodeLike(root: string, pattern: string): string[] | undefined {
  if (!pattern.startsWith(`${FILES_PREFIX}/`)) return undefined;
  const rest = pattern.slice(FILES_PREFIX.length);
  const percent = rest.indexOf('%');
  const literal = percent < 0 ? rest : rest.slice(0, rest.lastIndexOf('/', percent));
  const segments = literal.split('/').filter(Boolean);
  let branches = [''];
  const files: string[] = [];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of branches) {
      const names = segment.includes('_') ? entriesLike(root, base, segment) : [segment];
      for (const name of names) {
        const path = `${base}/${name}`;
        const kind = kindOf(root, path);
        if (kind === 'file') files.push(path);
        else if (kind === 'directory') next.push(path);
      }
    }
    branches = next;
    if (branches.length === 0) break;
  }
  return branches.length === 0 ? files : undefined;
}

function entriesLike(root: string, base: string, segment: string): string[] {
  const matcher = likeExpression(segment);
  try {
    return readdirSync(join(root, base || '/')).filter((name) => matcher.test(name));
  } catch {
    return [];
  }
}

function textValues(values: readonly unknown[]): string[] {
  return values.filter((value): value is string => typeof value === 'string');
}

function filePatterns(files: string[]): string[] {
  return files.flatMap((file) => [augeasPathOf(file), `${augeasPathOf(file)}//*`]);
}

export function planAugeasQuery(context: QueryContext, root: string): AugeasPlan {
  const paths = textValues(context.equals('path'));
  if (paths.length > 0) return { files: paths, patterns: filePatterns(paths), named: paths };

  const nodes = textValues(context.equals('node'));
  if (nodes.length > 0) {
    const files = nodes.map((node) => fileOfNode(root, node));
    const known = files.every((file) => file !== undefined);
    return { files: known ? [...new Set(files as string[])] : 'all', patterns: nodes, named: [] };
  }

  const likes: { column: string; pattern: string }[] = [];
  for (const column of ['path', 'node']) {
    for (const constraint of context.constraintsOn(column)) {
      if (constraint.operator === 'LIKE' && typeof constraint.value === 'string') likes.push({ column, pattern: constraint.value });
    }
  }
  // Constraints on one column are ANDed, so any one LIKE that names its files narrows the query.
  for (const like of likes) {
    const files = like.column === 'path' ? filesOfLike(root, like.pattern) : filesOfNodeLike(root, like.pattern);
    if (files !== undefined) return { files, patterns: filePatterns(files), named: [] };
  }
  return { files: 'all', patterns: [`${FILES_PREFIX}//*`], named: [] };
}
