/**
 * Compiled rule sets, keyed by what they were compiled from. A set is recompiled only when one of its rule files
 * changed (device, inode, size or mtime differ) or its inline text differs; the old set is released. Bounded (LRU),
 * so inline rules and one-off sigfiles do not accumulate.
 */
import { closeSync, statSync } from 'node:fs';
import { openRegularFile } from '../system/host-files.js';
import { createHash } from 'node:crypto';
import { CompiledRules, compileRules, type RuleSource } from './libyara.js';

interface CacheEntry {
  fingerprint: string;
  rules: CompiledRules;
}

/** Opens a rule file for libyara (openRegularFile: O_NONBLOCK, fstat'ed), with a message saying what to fix. */
export function openRuleFile(path: string): number {
  try {
    return openRegularFile(path).fd;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist'
      : code === 'EACCES' ? 'is not readable (permission denied)'
      : code === 'ENOTREG' ? 'is not a regular file'
      : `cannot be opened (${code ?? String(error)})`;
    throw new Error(`YARA rule file ${path} ${why}`);
  }
}

/** What identifies one version of the sources: file identity + size + mtime, or the text's SHA-256. */
export function sourcesFingerprint(sources: readonly RuleSource[]): string {
  const parts: string[] = [];
  for (const source of sources) {
    if (source.kind === 'text') {
      parts.push(`text:${createHash('sha256').update(source.text).digest('hex')}`);
      continue;
    }
    let stat;
    try {
      stat = statSync(source.path, { bigint: true });
    } catch {
      parts.push(`file:${source.path}:missing`);
      continue;
    }
    parts.push(`file:${source.path}:${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`);
  }
  return parts.join('\n');
}

export class RuleCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** How many compilations happened (tests and the bench read it). */
  compilations = 0;
  private lastFingerprint = '';

  constructor(private readonly capacity = 64) {}

  /** The compiled rules for `key`, compiling (or recompiling after a change) as needed. Throws YaraCompileError. */
  get(key: string, sources: readonly RuleSource[], knownFingerprint?: string): CompiledRules {
    const fingerprint = knownFingerprint ?? sourcesFingerprint(sources);
    const found = this.entries.get(key);
    if (found && found.fingerprint === fingerprint) {
      this.entries.delete(key);
      this.entries.set(key, found);
      this.lastFingerprint = fingerprint;
      return found.rules;
    }
    const rules = compileRules(sources, openRuleFile, closeSync);
    this.compilations++;
    this.lastFingerprint = fingerprint;
    if (found) {
      this.entries.delete(key);
      found.rules.destroy();
    }
    this.entries.set(key, { fingerprint, rules });
    while (this.entries.size > this.capacity) {
      const oldestKey = this.entries.keys().next().value as string;
      this.entries.get(oldestKey)!.rules.destroy();
      this.entries.delete(oldestKey);
    }
    return rules;
  }

  /** The fingerprint of the sources the last get() returned rules for (handed to scan workers). */
  get fingerprint(): string {
    return this.lastFingerprint;
  }

  clear(): void {
    for (const entry of this.entries.values()) entry.rules.destroy();
    this.entries.clear();
  }
}
