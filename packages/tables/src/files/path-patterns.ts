/**
 * osquery's path constraints: `=` values are used verbatim, LIKE patterns are globbed.
 * `%` matches within one path level (as glob's `*`), `_` one character, and a pattern ending in `%%`
 * walks recursively below the matched level (depth-limited to 64 levels, each directory visited once
 * per ancestry chain so symlink loops end). As glob(3) without GLOB_PERIOD, wildcards never match a
 * leading '.', and matched directories carry a trailing '/' (GLOB_MARK).
 */
import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import type { QueryContext, SqlValue } from '@quarry/sql';
import { listDirectory, lstatPath, statPath } from '../system/host-files.js';

/** Which matches a pattern keeps: everything, only non-directories, or only directories. */
export type GlobKind = 'all' | 'files' | 'folders';

/** osquery's kMaxRecursiveGlobs. */
export const MAX_RECURSIVE_DEPTH = 64;

function hasWildcard(component: string): boolean {
  return component.includes('%') || component.includes('_');
}

function componentMatcher(component: string): RegExp {
  let source = '';
  for (const char of component) {
    if (char === '%') source += '.*';
    else if (char === '_') source += '.';
    else source += char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function matchChildren(directory: string, component: string): string[] {
  if (!hasWildcard(component)) {
    const candidate = join(directory, component);
    return lstatPath(candidate) ? [candidate] : [];
  }
  const matcher = componentMatcher(component);
  const allowDot = component.startsWith('.');
  const out: string[] = [];
  for (const name of listDirectory(directory)) {
    if (name.startsWith('.') && !allowDot) continue;
    if (matcher.test(name)) out.push(join(directory, name));
  }
  return out;
}

function identity(path: string): string | null {
  let stats: Stats | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch {
    return null;
  }
  return stats && stats.isDirectory() ? `${stats.dev}:${stats.ino}` : null;
}

/**
 * Every non-hidden entry below `directory`, depth-first, with whether it is (or links to) a directory.
 * A directory already on the current ancestry chain (a symlink loop) is listed but not entered.
 */
function walkBelow(directory: string, ancestors: Set<string>, depth: number, out: Map<string, boolean>): void {
  if (depth >= MAX_RECURSIVE_DEPTH) return;
  let entries: Dirent[];
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const child = directory.endsWith('/') ? directory + entry.name : `${directory}/${entry.name}`;
    if (!entry.isDirectory() && !entry.isSymbolicLink()) {
      out.set(child, false);
      continue;
    }
    const id = identity(child);
    out.set(child, id !== null);
    if (id === null || ancestors.has(id)) continue;
    ancestors.add(id);
    walkBelow(child, ancestors, depth + 1, out);
    ancestors.delete(id);
  }
}

function ancestryOf(path: string): Set<string> {
  const ids = new Set<string>();
  let current = resolve(path);
  for (;;) {
    const id = identity(current);
    if (id) ids.add(id);
    const parent = resolve(current, '..');
    if (parent === current) return ids;
    current = parent;
  }
}

function keep(path: string, kind: GlobKind, knownIsDir?: boolean): string | null {
  const isDir = knownIsDir ?? statPath(path)?.isDirectory() ?? false;
  if (kind === 'files' && isDir) return null;
  if (kind === 'folders' && !isDir) return null;
  return isDir && !path.endsWith('/') ? `${path}/` : path;
}

/**
 * Expands one LIKE pattern into existing paths, sorted. Relative patterns resolve against the cwd.
 * With `rootPrefix` (a /proc/<pid>/root), matching happens inside that tree and paths come back without it; a
 * pattern with a '..' component matches nothing there.
 */
export function resolveLikePattern(pattern: string, kind: GlobKind, rootPrefix = ''): string[] {
  const absolute = pattern.startsWith('/') ? pattern : join(process.cwd(), pattern);
  const recursive = absolute.endsWith('%%');
  const components = absolute.split('/').filter((part) => part.length > 0);
  // Inside a pid_with_namespace root, '..' would climb out of /proc/<pid>/root onto the host: refused.
  if (rootPrefix !== '' && components.includes('..')) return [];
  if (recursive) components[components.length - 1] = components[components.length - 1]!.replace(/%%$/, '%');
  let level = [rootPrefix || '/'];
  for (const component of components) {
    const next: string[] = [];
    for (const directory of level) next.push(...matchChildren(directory, component));
    level = next;
    if (level.length === 0) break;
  }
  const found = new Map<string, boolean | undefined>(level.map((path) => [path, undefined]));
  if (recursive) {
    for (const match of level) {
      if (identity(match) === null) continue;
      walkBelow(match, ancestryOf(match), 1, found as Map<string, boolean>);
    }
  }
  const out: string[] = [];
  for (const [path, isDir] of found) {
    const kept = keep(path, kind, isDir);
    if (kept !== null) out.push(rootPrefix ? kept.slice(rootPrefix.length) : kept);
  }
  return [...new Set(out)].sort();
}

function asText(value: SqlValue): string | null {
  if (value === null || value instanceof Uint8Array) return null;
  return String(value);
}

/** Every path named by `=` constraints (verbatim) and LIKE constraints (expanded) on `column`, sorted and unique. */
export function pathsFromConstraints(context: QueryContext, column: string, likeKind: GlobKind, rootPrefix = ''): string[] {
  const paths = new Set<string>();
  for (const constraint of context.constraintsOn(column)) {
    const text = asText(constraint.value);
    if (text === null || text.length === 0) continue;
    if (constraint.operator === '=') paths.add(text);
    else if (constraint.operator === 'LIKE') for (const path of resolveLikePattern(text, likeKind, rootPrefix)) paths.add(path);
  }
  return [...paths].sort();
}

/** osquery's (boost) split of a path into its parent and file name: '/a/b/' → ['/a/b', '.']. */
export function splitPath(path: string): { directory: string; filename: string } {
  if (path === '/') return { directory: '', filename: '/' };
  if (path.endsWith('/')) return { directory: path.replace(/\/+$/, '') || '/', filename: '.' };
  const slash = path.lastIndexOf('/');
  if (slash < 0) return { directory: '', filename: path };
  return { directory: slash === 0 ? '/' : path.slice(0, slash), filename: path.slice(slash + 1) };
}

/** A directory's entries joined as boost does (no doubled '/'). */
export function joinEntry(directory: string, name: string): string {
  return directory.endsWith('/') ? directory + name : `${directory}/${name}`;
}
