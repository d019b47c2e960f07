/**
 * process_file_events' kernel rules and path matcher (audit-based FIM), decided from the config's `file_paths` and
 * `exclude_paths`.
 *
 * Being polite to the host. osquery audits every open/read/write/close/dup/mmap/... syscall of every process on the
 * system (one exit rule, no path filter) and keeps an fd table per process in user space: every syscall of every
 * process costs a record, and files created after configure() still never match (#6740, #7933, #4149). Quarry asks
 * the kernel to filter instead: for each directory a `file_paths` pattern names (the literal part before the first
 * `%`) one exit rule `-F dir=<dir> -F perm=w[r] -F key=quarry-fim` (what `auditctl -w <dir> -p w -k quarry-fim`
 * installs), for a plain file one `-F path=<file>` rule. The kernel then emits records only for syscalls that touch
 * a monitored path with write intent (plus read-only opens with --audit_fim_show_accesses); `dir=` covers the whole
 * subtree, files and directories created later included. The exact pattern (`%`, `%%`, `%.conf`, a single file) is
 * then matched in user space with file_events' matcher (../file/file-path-pattern.ts), and `exclude_paths` applied.
 *
 * `perm=a` (attribute changes: chmod, chown, setxattr, utimes) is not requested: process_file_events has no
 * operation for them (osquery's list is open, open+truncate, read, write, close, unlink, rename, link, symlink), so
 * the kernel would emit records that Quarry would only throw away.
 *
 * At most MAX_FIM_RULES rules are installed (each dir rule is an audit tree the kernel tags on every mount it spans);
 * beyond that the plan warns naming the limit and the directories left out.
 */
import { watchRule, type AuditRule } from 'node-audit';
import type { FileSubscription } from '@quarry/events';
import {
  displayPath, expandFilePattern, ExcludeMatcher, FilePatternError, specCoversDirectory, toBytes, type WatchSpec,
} from '../file/file-path-pattern.js';

/** The key of every FIM rule Quarry installs; events keyed so go to process_file_events only. */
export const FIM_RULE_KEY = 'quarry-fim';
/** Most FIM rules installed at once. */
export const MAX_FIM_RULES = 64;

/** One kernel rule's target: a directory (recursive in the kernel) or one file. */
export interface FimRuleTarget {
  kind: 'dir' | 'path';
  /** Canonical absolute path (UTF-8 text). */
  target: string;
}

export interface FimRulePlan {
  targets: FimRuleTarget[];
  rules: AuditRule[];
  /** Problems for the log: missing paths, bad patterns, the rule limit. */
  warnings: string[];
  matcher: FimPathMatcher;
}

/** `file_paths` patterns and `exclude_paths` as one yes/no question about an absolute path. */
export class FimPathMatcher {
  constructor(private readonly specs: readonly WatchSpec[], private readonly excludes: ExcludeMatcher) {}

  get empty(): boolean {
    return this.specs.length === 0;
  }

  /** True when `path` (absolute, normalised) matches some pattern and no exclude_paths entry. */
  matches(path: string): boolean {
    if (!path.startsWith('/')) return false;
    const bytes = toBytes(path);
    const slash = bytes.lastIndexOf('/');
    const dir = slash <= 0 ? '/' : bytes.slice(0, slash);
    const name = bytes.slice(slash + 1);
    if (name.length === 0) return false;
    let matched = false;
    for (const spec of this.specs) {
      if (specCoversDirectory(spec, dir) && (!spec.leaf || spec.leaf.test(name))) {
        matched = true;
        break;
      }
    }
    return matched && !this.excludes.excludes(bytes);
  }
}

function hasWildcard(pattern: string): boolean {
  return pattern.includes('%') || pattern.includes('*');
}

function isBelow(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/**
 * Turns the config's FIM subscriptions into kernel rules and a matcher. `showAccesses` adds `r` to the rules' perm
 * (read-only opens). Never throws: a bad pattern becomes a warning and is skipped.
 */
export function planFimRules(files: readonly FileSubscription[], showAccesses: boolean, limit = MAX_FIM_RULES): FimRulePlan {
  const warnings: string[] = [];
  const specs: WatchSpec[] = [];
  const wanted: FimRuleTarget[] = [];
  const excludePatterns = new Set<string>();
  for (const sub of files) {
    for (const pattern of sub.excludes) excludePatterns.add(pattern);
    let expanded;
    try {
      expanded = expandFilePattern(sub.pattern);
    } catch (error) {
      warnings.push(error instanceof FilePatternError ? error.message : `file_paths pattern "${sub.pattern}": ${String(error)}`);
      continue;
    }
    for (const missing of expanded.missing) {
      warnings.push(`process_file_events: "${missing}" (file_paths.${sub.category} "${sub.pattern}") does not exist; no audit rule for it until the config is applied again`);
    }
    for (const spec of expanded.specs) {
      specs.push(spec);
      // A literal file path (no wildcard, not a directory): expandFilePattern watches its parent with an exact leaf.
      const singleFile = !hasWildcard(sub.pattern) && !spec.recursive && spec.leaf !== null;
      if (singleFile) {
        const leafName = sub.pattern.replace(/\/+$/, '').split('/').pop()!;
        wanted.push({ kind: 'path', target: displayPath(spec.dir === '/' ? `/${toBytes(leafName)}` : `${spec.dir}/${toBytes(leafName)}`) });
      } else {
        wanted.push({ kind: 'dir', target: displayPath(spec.dir) });
      }
    }
  }
  let excludes: ExcludeMatcher;
  try {
    excludes = new ExcludeMatcher([...excludePatterns]);
  } catch (error) {
    warnings.push(`exclude_paths ignored: ${(error as Error).message}`);
    excludes = new ExcludeMatcher([]);
  }
  // The kernel's dir= rule covers the whole subtree: a target below a dir target adds nothing.
  const dirs = [...new Set(wanted.filter((t) => t.kind === 'dir').map((t) => t.target))].sort((a, b) => a.length - b.length);
  const keptDirs: string[] = [];
  for (const dir of dirs) if (!keptDirs.some((kept) => isBelow(dir, kept))) keptDirs.push(dir);
  const keptFiles = [...new Set(wanted.filter((t) => t.kind === 'path').map((t) => t.target))]
    .filter((file) => !keptDirs.some((dir) => isBelow(file, dir)));
  const targets: FimRuleTarget[] = [
    ...keptDirs.sort().map((target) => ({ kind: 'dir' as const, target })),
    ...keptFiles.sort().map((target) => ({ kind: 'path' as const, target })),
  ];
  if (targets.length > limit) {
    const left = targets.splice(limit);
    warnings.push(`process_file_events: file_paths name ${limit + left.length} directories/files but at most ${limit} audit rules are installed `
      + `(MAX_FIM_RULES); not monitored: ${left.map((t) => t.target).join(', ')}. Use a common parent directory with "%%" instead`);
  }
  const perm = showAccesses ? 'rw' : 'w';
  const rules = targets.map((t) => watchRule(t.kind === 'dir' ? { dir: t.target, perm, key: FIM_RULE_KEY } : { path: t.target, perm, key: FIM_RULE_KEY }));
  return { targets, rules, warnings, matcher: new FimPathMatcher(specs, excludes) };
}
