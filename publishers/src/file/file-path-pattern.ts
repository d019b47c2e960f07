/**
 * osquery's file_paths / exclude_paths patterns, turned into what the inotify publisher watches.
 *
 * Paths are handled as "byte strings": each byte of the UTF-8 (or raw, non-UTF-8) path is one char code 0-255
 * (Buffer 'latin1'), so names that are not valid UTF-8 survive every round trip to the kernel. `toBytes` / `fromBytes`
 * convert, `displayPath` renders one for users.
 *
 * Pattern rules (reference §4.2), with the deliberate fixes marked FIX:
 * - `%` matches within one path component, `%%` (a whole component) matches recursively.
 * - `/dir/%%` watches dir and every directory below it, new ones included.
 * - FIX (#6151): `/dir/%%/%.conf` watches dir recursively and reports only names matching `%.conf` (osquery ignores
 *   everything after `%%`). More than one component after `%%` is refused.
 * - `/dir/%`, `/dir/` and `/dir` (an existing directory) watch dir's direct children.
 * - FIX (#4984): `/bin/%sh` reports only names ending in "sh" (osquery reports every file in /bin).
 * - A file path watches its parent directory and reports only that name, so a replaced file (editor save,
 *   rename over it) is still seen (FIX #6495).
 * - `%` in a directory component (`/home/%/.ssh/`) is expanded when the config is applied (as osquery).
 * - Relative paths and `~` are refused with an error (osquery resolves them against its cwd silently).
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';

export type ByteString = string;

export function toBytes(text: string): ByteString {
  return Buffer.from(text, 'utf8').toString('latin1');
}
export function bytesBuffer(path: ByteString): Buffer {
  return Buffer.from(path, 'latin1');
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
/** A byte path as users see it: UTF-8 when valid, otherwise invalid bytes as `\xNN`. */
export function displayPath(path: ByteString): string {
  if (ASCII.test(path)) return path;
  const bytes = bytesBuffer(path);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const len = utf8SequenceLength(bytes, i);
      if (len > 0) {
        out += bytes.subarray(i, i + len).toString('utf8');
        i += len;
      } else {
        out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
        i++;
      }
    }
    return out;
  }
}
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const b = bytes[i]!;
  const need = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (need === 0 || i + need > bytes.length) return 0;
  try {
    strictUtf8.decode(bytes.subarray(i, i + need));
    return need;
  } catch {
    return 0;
  }
}

/** One thing to watch: a directory, its direct children or its whole subtree, optionally filtered by name. */
export interface WatchSpec {
  /** Canonical directory, byte string, no trailing slash (except "/"). */
  dir: ByteString;
  recursive: boolean;
  /** Only names matching this are reported (null: every name). */
  leaf: RegExp | null;
  /** The pattern as written in the config, for messages. */
  pattern: string;
}

export class FilePatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilePatternError';
  }
}

/** A regular expression for one path component containing `%` (or `*`) wildcards, on byte strings. */
export function componentRegex(component: ByteString): RegExp {
  let source = '';
  for (const ch of component) {
    if (ch === '%' || ch === '*') source += '[^/]*';
    else source += escapeRegex(ch);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function hasWildcard(component: string): boolean {
  return component.includes('%') || component.includes('*');
}

export function joinPath(dir: ByteString, name: ByteString): ByteString {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Expand `%` in directory components against the file system (configure time). Returns canonical directories. */
function expandDirectories(components: ByteString[]): ByteString[] {
  let current: ByteString[] = ['/'];
  for (const component of components) {
    const next: ByteString[] = [];
    for (const dir of current) {
      if (!hasWildcard(component)) {
        next.push(joinPath(dir, component));
        continue;
      }
      const regex = componentRegex(component);
      let names: Buffer[] = [];
      try {
        names = readdirSync(bytesBuffer(dir), { encoding: 'buffer' });
      } catch {
        continue;
      }
      for (const raw of names) {
        const name = raw.toString('latin1');
        if (!regex.test(name)) continue;
        const full = joinPath(dir, name);
        try {
          if (statSync(bytesBuffer(full)).isDirectory()) next.push(full);
        } catch {
          /* vanished or unreadable: skip */
        }
      }
    }
    current = next;
  }
  return current;
}

function canonical(dir: ByteString): ByteString | null {
  try {
    return (realpathSync(bytesBuffer(dir), { encoding: 'buffer' }) as Buffer).toString('latin1');
  } catch {
    return null;
  }
}

export interface ExpandResult {
  specs: WatchSpec[];
  /** Paths that do not exist (yet): reported, not watched (as osquery, #3212). */
  missing: string[];
}

/** Turn one file_paths pattern into watch specs. Throws FilePatternError for a pattern that cannot mean anything. */
export function expandFilePattern(pattern: string): ExpandResult {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new FilePatternError('a file_paths pattern must be a non-empty string such as "/etc/%%"');
  }
  if (pattern.startsWith('~')) {
    throw new FilePatternError(`file_paths pattern "${pattern}": "~" is not expanded; write the absolute path (e.g. "/home/%/.ssh/%")`);
  }
  if (!pattern.startsWith('/')) {
    throw new FilePatternError(`file_paths pattern "${pattern}" is relative; write an absolute path starting with "/"`);
  }
  const bytes = toBytes(pattern);
  const trailingSlash = bytes.length > 1 && bytes.endsWith('/');
  const components = bytes.split('/').filter((c) => c.length > 0);
  const recursiveAt = components.findIndex((c) => c.includes('%%') || c.includes('**'));
  let dirComponents: ByteString[];
  let recursive = false;
  let leaf: RegExp | null = null;
  let exactLeaf: ByteString | null = null;
  if (recursiveAt >= 0) {
    const marker = components[recursiveAt]!;
    if (marker !== '%%' && marker !== '**') {
      throw new FilePatternError(`file_paths pattern "${pattern}": "%%" must be a whole path component, as in "/var/tmp/%%"`);
    }
    const rest = components.slice(recursiveAt + 1);
    if (rest.length > 1 || rest.some((c) => c.includes('%%'))) {
      throw new FilePatternError(
        `file_paths pattern "${pattern}": after "%%" only one name pattern may follow (e.g. "/etc/%%/%.conf"); osquery cannot match recursively inside a path either`,
      );
    }
    if (rest.length === 1) leaf = componentRegex(rest[0]!);
    dirComponents = components.slice(0, recursiveAt);
    recursive = true;
  } else if (components.length === 0) {
    dirComponents = [];
  } else {
    const last = components[components.length - 1]!;
    if (hasWildcard(last)) {
      dirComponents = components.slice(0, -1);
      if (last !== '%' && last !== '*') leaf = componentRegex(last);
    } else if (trailingSlash) {
      dirComponents = components;
    } else {
      // Decided per parent below: an existing directory watches its children (osquery appends "/"),
      // anything else is one file watched through its parent.
      dirComponents = components.slice(0, -1);
      exactLeaf = last;
    }
  }
  const specs: WatchSpec[] = [];
  const missing: string[] = [];
  const dirs = dirComponents.some(hasWildcard) ? expandDirectories(dirComponents) : [dirComponents.length ? '/' + dirComponents.join('/') : '/'];
  for (const dir of dirs) {
    const real = canonical(dir);
    let isDir = false;
    if (real !== null) {
      try {
        isDir = statSync(bytesBuffer(real)).isDirectory();
      } catch {
        isDir = false;
      }
    }
    if (real === null || !isDir) {
      missing.push(displayPath(dir));
      continue;
    }
    if (exactLeaf !== null) {
      const full = canonical(joinPath(real, exactLeaf));
      let fullIsDir = false;
      try {
        fullIsDir = full !== null && statSync(bytesBuffer(full)).isDirectory();
      } catch {
        fullIsDir = false;
      }
      if (full !== null && fullIsDir) {
        specs.push({ dir: full, recursive: false, leaf: null, pattern });
        continue;
      }
      specs.push({ dir: real, recursive: false, leaf: new RegExp(`^${escapeRegex(exactLeaf)}$`, 's'), pattern });
      continue;
    }
    specs.push({ dir: real, recursive, leaf, pattern });
  }
  if (dirs.length === 0) missing.push(pattern);
  return { specs, missing };
}

/**
 * exclude_paths: a path is excluded when it, or any directory above it, matches a pattern (FIX: osquery checks
 * only the path and its parent, so grandchildren of an excluded directory still report, #3692/#4750/#7109 also
 * fixed: partial components like `%.swp` are real wildcards). `%%` as the last component excludes the subtree.
 */
export class ExcludeMatcher {
  private readonly patterns: RegExp[] = [];
  /** directory → whether it or an ancestor is excluded (pure function of the path: never stale for one matcher). */
  private readonly directoryCache = new Map<ByteString, boolean>();

  constructor(patterns: readonly string[]) {
    for (const pattern of patterns) {
      if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
        throw new FilePatternError(`exclude_paths pattern ${JSON.stringify(pattern)} must be an absolute path such as "/var/tmp/cache/%%"`);
      }
      const components = toBytes(pattern).split('/').filter((c) => c.length > 0);
      let source = '';
      for (const component of components) {
        if (component === '%%' || component === '**') {
          source += '(?:/.*)?';
          break;
        }
        source += '/' + (hasWildcard(component) ? componentRegex(component).source.slice(1, -1) : escapeRegex(component));
      }
      this.patterns.push(new RegExp(`^${source || '/'}$`, 's'));
    }
  }

  get size(): number {
    return this.patterns.length;
  }

  /** True when `path` (byte string) or one of its ancestors matches. Ancestors' answers are cached per directory. */
  excludes(path: ByteString): boolean {
    if (this.patterns.length === 0) return false;
    for (const regex of this.patterns) if (regex.test(path)) return true;
    const slash = path.lastIndexOf('/');
    return slash > 0 && this.directoryExcluded(path.slice(0, slash));
  }

  private directoryExcluded(dir: ByteString): boolean {
    const known = this.directoryCache.get(dir);
    if (known !== undefined) return known;
    const excluded = this.excludes(dir);
    if (this.directoryCache.size >= 65536) this.directoryCache.clear(); // bounded: a cache, not a registry
    this.directoryCache.set(dir, excluded);
    return excluded;
  }
}

/** One subscription with its directory part resolved (what the file publishers match events against). */
export interface CoveringSpec {
  subscriber: string;
  category: string;
  accesses: boolean;
  spec: WatchSpec;
}

/** Whether a spec's directory part covers `dir` (the directory itself, or anything below it for a `%%` spec). */
export function specCoversDirectory(spec: WatchSpec, dir: ByteString): boolean {
  return spec.recursive ? dir === spec.dir || dir.startsWith(spec.dir === '/' ? '/' : spec.dir + '/') : dir === spec.dir;
}

/**
 * Groups, by category, the subscribers whose spec (already covering the entry's directory) matches the entry `name`;
 * each subscriber at most once. `access`: the event is an open/access, wanted only by file_accesses subscriptions.
 */
export function groupByCategory(
  covering: readonly CoveringSpec[],
  name: ByteString,
  access = false,
): Map<string, { subscribers: string[]; accesses: boolean }> {
  const byCategory = new Map<string, { subscribers: string[]; accesses: boolean }>();
  const seen = new Set<string>();
  for (const { subscriber, category, accesses, spec } of covering) {
    if (seen.has(subscriber)) continue;
    if (access && !accesses) continue;
    if (spec.leaf && !spec.leaf.test(name)) continue;
    seen.add(subscriber);
    const group = byCategory.get(category) ?? { subscribers: [], accesses };
    group.subscribers.push(subscriber);
    byCategory.set(category, group);
  }
  return byCategory;
}
