/**
 * The synchronous side of the yara tables: the current config and flags, a rule cache, and the checks done before
 * handing a target to libyara (size bound, regular file, readable). One per table set (per engine), so each query
 * thread owns its compiled rules.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { QueryError, type QueryContext } from '@quarry/sql';
import { YaraCompileError, type YaraRuleMatch } from './libyara.js';
import { RuleCache } from './rule-cache.js';
import { ParallelScanner } from './parallel-scan.js';
import { requestedSignatures, type RequestedSignature, type SignatureEnvironment } from './signatures.js';
import { flagBool, flagNumber, yaraSectionOf, type FlagReader } from './yara-config.js';

export interface YaraTableDeps {
  /** The current parsed config (QuarryConfig or a plain osquery.conf object); read at every query. */
  readonly config?: () => unknown;
  /** @quarry/config's Flags: enable_yara_string, yara_delay, yara_max_file_size, config_path. */
  readonly flags?: FlagReader;
  /** Where relative sigfile paths resolve; default `<dir of --config_path>/yara` (osquery: /etc/osquery/yara). */
  readonly yaraHome?: string;
  /** PEM file of extra CA certificates trusted for sigurl downloads. */
  readonly sigurlCaFile?: string;
  /** Seconds to wait for a sigurl download (default 30). */
  readonly sigurlTimeoutSeconds?: number;
}

/** Collects per-query problems and reports each kind once, with a count and the first path. */
export class SkipReport {
  private readonly kinds = new Map<string, { count: number; first: string }>();

  add(reason: string, target: string): void {
    const found = this.kinds.get(reason);
    if (found) found.count++;
    else this.kinds.set(reason, { count: 1, first: target });
  }

  flush(context: QueryContext, table: string): void {
    for (const [reason, { count, first }] of this.kinds) {
      context.session.warn(count === 1 ? `${table}: ${first}: ${reason}` : `${table}: ${count} targets not scanned: ${reason} (first: ${first})`);
    }
    this.kinds.clear();
  }
}

function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export class YaraScanner {
  readonly cache = new RuleCache();
  /** Worker threads for scans of many files (started on first use). */
  readonly parallel = new ParallelScanner();

  constructor(private readonly deps: YaraTableDeps = {}) {}

  private environment(): SignatureEnvironment {
    const flags = this.deps.flags;
    let yaraHome = this.deps.yaraHome;
    if (!yaraHome) {
      let configPath = '/etc/osquery/osquery.conf';
      try {
        const value = flags?.value('config_path');
        if (typeof value === 'string' && value.length > 0) configPath = value;
      } catch {
        // flag set without config_path: osquery's default
      }
      yaraHome = join(dirname(configPath), 'yara');
    }
    let sigurlCa: string | undefined;
    if (this.deps.sigurlCaFile) {
      try {
        sigurlCa = readFileSync(this.deps.sigurlCaFile, 'utf8');
      } catch (error) {
        throw new QueryError(`sigurl CA file ${this.deps.sigurlCaFile} cannot be read: ${(error as Error).message}`);
      }
    }
    return {
      yara: yaraSectionOf(this.deps.config?.()),
      yaraHome,
      sigurlTimeoutMs: (this.deps.sigurlTimeoutSeconds ?? 30) * 1000,
      ...(sigurlCa ? { sigurlCa } : {}),
    };
  }

  get maxFileSize(): number {
    return flagNumber(this.deps.flags, 'yara_max_file_size', 52428800);
  }

  get withStrings(): boolean {
    return flagBool(this.deps.flags, 'enable_yara_string', false);
  }

  get delayMs(): number {
    return flagNumber(this.deps.flags, 'yara_delay', 50);
  }

  signatures(context: QueryContext): RequestedSignature[] {
    return requestedSignatures(context, this.environment());
  }

  /** Compiled rules of a signature; a compile error becomes a QueryError naming the file and line. */
  rulesFor(signature: RequestedSignature) {
    try {
      const rules = this.cache.get(signature.key, signature.sources);
      signature.fingerprint = this.cache.fingerprint;
      return rules;
    } catch (error) {
      if (error instanceof YaraCompileError) throw new QueryError(`YARA rules of ${signature.column} '${shorten(signature.value)}' do not compile: ${error.message}`);
      throw new QueryError(`${signature.column} '${shorten(signature.value)}': ${(error as Error).message}`);
    }
  }

  /**
   * Why a file cannot be scanned ('' when it can): not there, a directory, not a regular file, over the size flag.
   * (Readability is left to libyara, whose error is reported the same way.)
   */
  fileProblem(realPath: string): string {
    let stat;
    try {
      stat = statSync(realPath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? String(error)})`;
    }
    if (stat.isDirectory()) return "is a directory; scan its files with path LIKE '<dir>/%' (or '<dir>/%%' for every level)";
    if (!stat.isFile()) return 'is not a regular file';
    const max = this.maxFileSize;
    if (max > 0 && stat.size > max) return `is larger than --yara_max_file_size (${stat.size} > ${max} bytes); raise the flag to scan it`;
    return '';
  }

  scanFile(realPath: string, signature: RequestedSignature): YaraRuleMatch[] {
    const rules = this.rulesFor(signature);
    try {
      return rules.scanFile(realPath, { withStrings: this.withStrings });
    } finally {
      sleepMs(this.delayMs);
    }
  }

  scanProcess(pid: number, signature: RequestedSignature): YaraRuleMatch[] {
    return this.rulesFor(signature).scanProcess(pid, { withStrings: this.withStrings });
  }
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
