import { readdirSync, statSync } from 'node:fs';
import { posix } from 'node:path';

/**
 * osquery's file path patterns (config `file_paths`/`exclude_paths`, and `path LIKE` on the file table):
 * `%` matches any characters within one path component (`/bin/%sh`, `/home/%/.ssh/`), `%%` matches any number of
 * levels (`/etc/%%`), a trailing `/` means "the directory's direct children", and a literal directory path also
 * covers its direct children (osquery appends the `/`). `_` is an ordinary character, not SQL's one-char wildcard.
 *
 * Gotchas of osquery fixed on purpose (see the README):
 * - `/bin/%sh` reports only names ending in "sh" (osquery reports every file in /bin: #4984, #3530).
 * - `%%` inside a path keeps what follows as a filter: `/etc/%%/%.conf` is every `*.conf` below /etc
 *   (osquery truncates at `%%` and reports all of /etc: #6151).
 * - exclude patterns with partial components (`%~`, `.%`) match as patterns (osquery compares them literally:
 *   #3692, #4750, #7109), and excluding a directory excludes everything below it.
 * - `~` is not expanded (as osquery), but such a pattern is reported as a problem instead of silently never matching.
 */
export interface FilePathPattern {
  /** The pattern as written. */
  pattern: string;
  /** The pattern made absolute (relative patterns resolve against cwd), `%` turned into `*` / `**`. */
  glob: string;
  /** The deepest directory without wildcards that contains every match: what to watch. */
  root: string;
  /** True when matches may be any number of levels below root (`%%`). */
  recursive: boolean;
  /** Levels below root to watch (1 = direct children); undefined when recursive (no limit). */
  depth: number | undefined;
  /** No wildcard at all: a file, or a directory plus its direct children. */
  literal: boolean;
  /** A reason the pattern cannot match what the user probably meant, or undefined. */
  problem?: string;
}

const hasWildcard = (component: string) => component.includes('%');

function splitComponents(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** Pattern components with osquery's wildcards: '**' for `%%`, '*' inside a component for `%`. */
function patternComponents(pattern: string, cwd: string): { components: string[]; trailingSlash: boolean; absolute: string } {
  const absolute = posix.isAbsolute(pattern) ? pattern : posix.join(cwd, pattern);
  const trailingSlash = pattern.endsWith('/') && pattern !== '/';
  const components: string[] = [];
  for (const raw of splitComponents(absolute)) {
    if (raw === '..') {
      if (components.length > 0 && !components[components.length - 1]!.includes('*')) components.pop();
      continue;
    }
    if (raw === '%%') components.push('**');
    else if (raw.endsWith('%%')) components.push(raw.slice(0, -2).replaceAll('%', '*') + '*', '**');
    else components.push(raw.replaceAll('%', '*'));
  }
  return { components, trailingSlash, absolute };
}

/** Splits a file_paths pattern into what to watch (root, recursive, depth) and the normalized glob. */
export function expandFilePathPattern(pattern: string, cwd: string = process.cwd()): FilePathPattern {
  const { components, trailingSlash } = patternComponents(pattern, cwd);
  const firstWild = components.findIndex((component) => component.includes('*'));
  const literal = firstWild === -1 && !splitComponents(pattern).some(hasWildcard);
  const rootComponents = firstWild === -1 ? components : components.slice(0, firstWild);
  const root = `/${rootComponents.join('/')}`;
  const rest = firstWild === -1 ? [] : components.slice(firstWild);
  const recursive = rest.includes('**');
  const depth = recursive ? undefined : firstWild === -1 ? 1 : rest.length + (trailingSlash ? 1 : 0);
  const glob = `/${components.join('/')}${trailingSlash && components.length > 0 ? '/' : ''}`;
  const result: FilePathPattern = { pattern, glob, root, recursive, depth, literal };
  if (pattern.startsWith('~')) result.problem = `"~" is not expanded in file paths; write the absolute path (e.g. /home/%/...) instead of ${pattern}`;
  else if (pattern.trim() === '') result.problem = 'empty pattern';
  return result;
}

const componentRegexCache = new Map<string, RegExp>();
function componentMatches(glob: string, name: string): boolean {
  if (!glob.includes('*')) return glob === name;
  let regex = componentRegexCache.get(glob);
  if (regex === undefined) {
    regex = new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
    if (componentRegexCache.size > 1000) componentRegexCache.clear();
    componentRegexCache.set(glob, regex);
  }
  return regex.test(name);
}

function matchComponents(pattern: string[], path: string[], p = 0, q = 0): boolean {
  while (p < pattern.length) {
    const glob = pattern[p]!;
    if (glob === '**') {
      if (p === pattern.length - 1) return true; // any remaining depth, including none
      for (let skip = q; skip <= path.length; skip++) if (matchComponents(pattern, path, p + 1, skip)) return true;
      return false;
    }
    if (q >= path.length || !componentMatches(glob, path[q]!)) return false;
    p++;
    q++;
  }
  return q === path.length;
}

/**
 * Does `path` (an absolute file or directory path, e.g. from an event) fall under the file_paths `pattern`?
 * A literal directory pattern covers the directory and its direct children; `dir/` the same; `dir/%%` everything
 * below; `%` one component.
 */
export function matchesFilePattern(pattern: string, path: string, cwd: string = process.cwd()): boolean {
  const { components, trailingSlash } = patternComponents(pattern, cwd);
  const target = splitComponents(posix.normalize(path));
  if (!components.some((component) => component.includes('*'))) {
    // Literal: the path itself or a direct child (a directory pattern watches its children).
    return matchComponents(components, target) || matchComponents([...components, '*'], target);
  }
  if (trailingSlash) return matchComponents([...components, '*'], target) || matchComponents(components, target);
  return matchComponents(components, target);
}

/** True when `path` or one of its parent directories matches any exclude pattern (exclude_paths semantics). */
export function isExcludedPath(excludePatterns: readonly string[], path: string, cwd: string = process.cwd()): boolean {
  if (excludePatterns.length === 0) return false;
  const target = splitComponents(posix.normalize(path));
  for (let length = target.length; length >= 1; length--) {
    const candidate = `/${target.slice(0, length).join('/')}`;
    for (const pattern of excludePatterns) {
      const { components } = patternComponents(pattern, cwd);
      if (matchComponents(components, splitComponents(candidate))) return true;
    }
  }
  return false;
}

export interface ResolveFilePatternOptions {
  /** Only directories (for `directory LIKE`). */
  directoriesOnly?: boolean;
  /** Depth limit for `%%` walks below the last literal directory (default 64). */
  maxDepth?: number;
  /** Stop after this many results (default 100000). */
  limit?: number;
  cwd?: string;
}

/**
 * Lists existing paths matching a pattern (the file table's `path LIKE`, the packs "*" key). `%%` walks
 * recursively (symlinked directories are not followed, so loops cannot happen); directories found by a
 * recursive walk get a trailing `/`, as osquery. Unreadable directories are skipped.
 */
export function resolveFilePattern(pattern: string, options: ResolveFilePatternOptions = {}): string[] {
  const { components } = patternComponents(pattern, options.cwd ?? process.cwd());
  const maxDepth = options.maxDepth ?? 64;
  const limit = options.limit ?? 100000;
  const results: string[] = [];
  const isDirectory = (path: string, followLinks: boolean) => {
    try {
      return followLinks ? statSync(path).isDirectory() : statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
    } catch {
      return false;
    }
  };
  const list = (directory: string): import('node:fs').Dirent[] => {
    try {
      return readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return [];
    }
  };
  const emit = (path: string, directory: boolean, slash: boolean) => {
    if (results.length >= limit) return;
    if (options.directoriesOnly && !directory) return;
    results.push(directory && slash && !path.endsWith('/') ? `${path}/` : path);
  };
  const walkAll = (directory: string, depth: number) => {
    if (depth > maxDepth || results.length >= limit) return;
    for (const entry of list(directory)) {
      const path = posix.join(directory, entry.name);
      const directoryEntry = entry.isDirectory();
      emit(path, directoryEntry, true);
      if (directoryEntry) walkAll(path, depth + 1);
    }
  };
  const visit = (directory: string, index: number) => {
    if (results.length >= limit) return;
    if (index === components.length) return;
    const glob = components[index]!;
    const last = index === components.length - 1;
    if (glob === '**') {
      if (last) {
        walkAll(directory, 1);
        return;
      }
      // `%%` followed by more components: try them at every depth.
      const descend = (dir: string, depth: number) => {
        visit(dir, index + 1);
        if (depth >= maxDepth) return;
        for (const entry of list(dir)) if (entry.isDirectory()) descend(posix.join(dir, entry.name), depth + 1);
      };
      descend(directory, 0);
      return;
    }
    if (!glob.includes('*')) {
      const path = posix.join(directory, glob);
      if (last) {
        try {
          statSync(path);
          emit(path, isDirectory(path, true), false);
        } catch {
          /* missing: no match */
        }
      } else if (isDirectory(path, true)) visit(path, index + 1);
      return;
    }
    for (const entry of list(directory)) {
      if (!componentMatches(glob, entry.name)) continue;
      const path = posix.join(directory, entry.name);
      const directoryEntry = entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path, true));
      if (last) emit(path, directoryEntry, false);
      else if (directoryEntry) visit(path, index + 1);
    }
  };
  if (components.length === 0) return ['/'];
  visit('/', 0);
  return results;
}
