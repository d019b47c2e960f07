/**
 * libyara (Debian's libyara9, YARA 4.2) through koffi: compile rule sources with file:line errors, scan a file,
 * a buffer or a process, and read each matching rule's name, tags and string offsets. This is the same library the
 * `yara` command uses, so matches are the command's matches by construction (see the README section for why
 * libyara was chosen over YARA-X).
 *
 * The struct offsets below are YARA 4.2's on 64-bit Linux (measured with offsetof against /usr/include/yara);
 * `loadLibyara` refuses any other soname. One binding per thread: koffi loads the library once per process and
 * yr_initialize is reference counted.
 */
import { readSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';
import type { LibraryHandle, TypeObject } from 'koffi';

// koffi (a native addon) is loaded on first use, so importing the tables costs nothing until a yara query runs.
const requireModule = createRequire(import.meta.url);
let koffiModule: typeof KoffiModule | undefined;
function koffiLib(): typeof KoffiModule {
  koffiModule ??= requireModule('koffi') as typeof KoffiModule;
  return koffiModule;
}

const LIBRARY_NAMES = ['libyara.so.9', '/usr/lib/x86_64-linux-gnu/libyara.so.9', '/usr/lib/aarch64-linux-gnu/libyara.so.9'];

const ERROR_SUCCESS = 0;
const CALLBACK_MSG_RULE_MATCHING = 1;
const CALLBACK_CONTINUE = 0;
const SCAN_FLAGS_FAST_MODE = 1;
const STRING_FLAGS_LAST_IN_RULE = 0x1000;
const YARA_ERROR_LEVEL_ERROR = 0;

// YARA 4.2 x86-64 layouts.
const RULE_IDENTIFIER = 8;
const RULE_TAGS = 16;
const RULE_STRINGS = 32;
const STRING_SIZE = 56;
const STRING_FLAGS = 0;
const STRING_IDX = 4;
const STRING_IDENTIFIER = 48;
const CONTEXT_MATCHES = 160;
const MATCHES_SIZE = 24;
const MATCH_OFFSET = 8;
const MATCH_NEXT = 40;
const MATCH_IS_PRIVATE = 52;

/** libyara's error codes a user may meet, in words (error.h). */
const ERROR_TEXT: Record<number, string> = {
  1: 'insufficient memory',
  2: 'could not attach to the process (ptrace refused: another tracer, a seccomp/container policy or kernel.yama.ptrace_scope)',
  3: 'could not open the file',
  4: 'could not map the file',
  26: 'scan timed out',
  30: 'too many matches for one string',
  31: 'internal libyara error',
  47: 'could not read the process memory',
  55: 'could not read the file',
};

/** yr_rules_load's failures (error.h), for precompiled rule files. */
const LOAD_ERROR_TEXT: Record<number, string> = {
  1: 'insufficient memory',
  3: 'could not open the file',
  6: 'not a compiled YARA rules file',
  7: 'the compiled rules file is corrupt',
  8: 'compiled by another YARA version (recompile it with this machine\'s yarac, YARA 4.2)',
};

/** The first bytes of a file yarac wrote. */
const COMPILED_RULES_MAGIC = Buffer.from('YARA');

/** One matching rule, in the order libyara reported it. */
export interface YaraRuleMatch {
  rule: string;
  tags: string[];
  /** `$ident:hexoffset` for every non-private match (fast mode: strings used only for presence keep their first match). */
  strings: string[];
}

export interface YaraCompileProblem {
  file: string;
  line: number;
  message: string;
  warning: boolean;
}

/** A rule source that does not compile; `message` names the file and line of every error. */
export class YaraCompileError extends Error {
  constructor(readonly problems: YaraCompileProblem[]) {
    const errors = problems.filter((p) => !p.warning).map((p) => `${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`);
    super(errors.length > 5 ? `${errors.slice(0, 5).join('; ')}; and ${errors.length - 5} more errors` : errors.join('; '));
    this.name = 'YaraCompileError';
  }
}

/** A scan libyara could not do (unreadable file, unreadable process memory, timeout...). */
export class YaraScanError extends Error {
  constructor(
    readonly target: string,
    readonly code: number,
  ) {
    super(`YARA could not scan ${target}: ${ERROR_TEXT[code] ?? `libyara error ${code}`}`);
    this.name = 'YaraScanError';
  }
}

/** A rule file or inline rule text to compile. */
export type RuleSource = { kind: 'file'; path: string } | { kind: 'text'; text: string; name: string };

interface Binding {
  compilerCreate(out: unknown[]): number;
  compilerDestroy(compiler: unknown): void;
  compilerSetCallback(compiler: unknown, callback: unknown, user: null): void;
  compilerAddString(compiler: unknown, text: string, ns: string | null): number;
  compilerAddFd(compiler: unknown, fd: number, ns: string | null, fileName: string): number;
  compilerGetRules(compiler: unknown, out: unknown[]): number;
  rulesDestroy(rules: unknown): number;
  rulesLoad(path: string, out: unknown[]): number;
  scanFile(rules: unknown, path: string, flags: number, callback: unknown, user: null, timeout: number): number;
  scanMem(rules: unknown, data: Buffer, size: number, flags: number, callback: unknown, user: null, timeout: number): number;
  scanProc(rules: unknown, pid: number, flags: number, callback: unknown, user: null, timeout: number): number;
  compilerCallbackType: TypeObject;
  scanCallbackType: TypeObject;
  /** One registered scan callback per thread (cheaper than a transient one per scan); it fills `scanState`. */
  scanCallback: unknown;
  scanState: { found: YaraRuleMatch[]; withStrings: boolean } | undefined;
}

let binding: Binding | undefined;
let loadProblem: string | undefined;

/** Loads libyara once per thread. Throws an Error saying how to install it when it is missing. */
export function loadLibyara(): Binding {
  if (binding) return binding;
  if (loadProblem) throw new Error(loadProblem);
  let lib: LibraryHandle | undefined;
  const failures: string[] = [];
  for (const name of LIBRARY_NAMES) {
    try {
      lib = koffiLib().load(name);
      break;
    } catch (error) {
      failures.push(String((error as Error).message));
    }
  }
  if (!lib) {
    loadProblem = `YARA is not available: libyara.so.9 (YARA 4.2) could not be loaded (${failures[0] ?? 'not found'}); install it with: apt-get install -y libyara9`;
    throw new Error(loadProblem);
  }
  const compilerCallback = koffiLib().proto(
    'void yara_compiler_cb(int error_level, const char *file_name, int line_number, void *rule, const char *message, void *user_data)',
  );
  const scanCallback = koffiLib().proto('int yara_scan_cb(void *context, int message, void *message_data, void *user_data)');
  const initialize = lib.func('int yr_initialize()');
  const result = initialize() as number;
  if (result !== ERROR_SUCCESS) {
    loadProblem = `YARA is not available: yr_initialize failed with libyara error ${result}`;
    throw new Error(loadProblem);
  }
  binding = {
    compilerCreate: lib.func('int yr_compiler_create(_Out_ void **compiler)'),
    compilerDestroy: lib.func('void yr_compiler_destroy(void *compiler)'),
    compilerSetCallback: lib.func('void yr_compiler_set_callback(void *compiler, yara_compiler_cb *callback, void *user_data)'),
    compilerAddString: lib.func('int yr_compiler_add_string(void *compiler, const char *rules, const char *ns)'),
    compilerAddFd: lib.func('int yr_compiler_add_fd(void *compiler, int fd, const char *ns, const char *file_name)'),
    compilerGetRules: lib.func('int yr_compiler_get_rules(void *compiler, _Out_ void **rules)'),
    rulesDestroy: lib.func('int yr_rules_destroy(void *rules)'),
    rulesLoad: lib.func('int yr_rules_load(const char *filename, _Out_ void **rules)'),
    scanFile: lib.func('int yr_rules_scan_file(void *rules, const char *filename, int flags, yara_scan_cb *callback, void *user_data, int timeout)'),
    scanMem: lib.func(
      'int yr_rules_scan_mem(void *rules, const uint8_t *buffer, size_t size, int flags, yara_scan_cb *callback, void *user_data, int timeout)',
    ),
    scanProc: lib.func('int yr_rules_scan_proc(void *rules, int pid, int flags, yara_scan_cb *callback, void *user_data, int timeout)'),
    compilerCallbackType: compilerCallback,
    scanCallbackType: scanCallback,
    scanCallback: null,
    scanState: undefined,
  } as unknown as Binding;
  const loaded = binding;
  loaded.scanCallback = koffiLib().register((context: unknown, message: number, data: unknown): number => {
    const state = loaded.scanState;
    if (message !== CALLBACK_MSG_RULE_MATCHING || !state) return CALLBACK_CONTINUE;
    state.found.push({
      rule: cString(data, RULE_IDENTIFIER),
      tags: tagList(data),
      strings: state.withStrings ? stringMatches(context, data) : [],
    });
    return CALLBACK_CONTINUE;
  }, koffiLib().pointer(scanCallback));
  return loaded;
}

function cString(pointer: unknown, offset: number): string {
  const target = koffiLib().decode(pointer, offset, 'void *') as unknown;
  if (target === null) return '';
  return koffiLib().decode(target, 'char', -1) as string;
}

/** Tags are stored as NUL-separated names ending with an empty name. */
function tagList(rule: unknown): string[] {
  const base = koffiLib().decode(rule, RULE_TAGS, 'void *') as unknown;
  if (base === null) return [];
  const tags: string[] = [];
  let offset = 0;
  for (let guard = 0; guard < 1024; guard++) {
    const tag = koffiLib().decode(base, offset, 'char', -1) as string;
    if (tag.length === 0) break;
    tags.push(tag);
    offset += Buffer.byteLength(tag, 'utf8') + 1;
  }
  return tags;
}

function stringMatches(context: unknown, rule: unknown): string[] {
  const out: string[] = [];
  const first = koffiLib().decode(rule, RULE_STRINGS, 'void *') as unknown;
  if (first === null) return out;
  const matchesTable = koffiLib().decode(context, CONTEXT_MATCHES, 'void *') as unknown;
  for (let i = 0; i < 1_000_000; i++) {
    const offset = i * STRING_SIZE;
    const flags = koffiLib().decode(first, offset + STRING_FLAGS, 'uint32_t') as number;
    const index = koffiLib().decode(first, offset + STRING_IDX, 'uint32_t') as number;
    const identifier = cString(first, offset + STRING_IDENTIFIER);
    let match = koffiLib().decode(matchesTable, index * MATCHES_SIZE, 'void *') as unknown;
    while (match !== null) {
      const isPrivate = (koffiLib().decode(match, MATCH_IS_PRIVATE, 'uint8_t') as number) !== 0;
      if (!isPrivate) {
        const at = koffiLib().decode(match, MATCH_OFFSET, 'int64_t') as number | bigint;
        out.push(`${identifier}:${at.toString(16)}`);
      }
      match = koffiLib().decode(match, MATCH_NEXT, 'void *') as unknown;
    }
    if ((flags & STRING_FLAGS_LAST_IN_RULE) !== 0) break;
  }
  return out;
}

export interface ScanOptions {
  /** osquery scans with SCAN_FLAGS_FAST_MODE (default true). */
  fastMode?: boolean;
  /** Seconds; 0 = none. */
  timeoutSeconds?: number;
  /** Read string offsets (osquery's enable_yara_string); default true. */
  withStrings?: boolean;
}

/** Compiled rules. Call destroy() when no longer used (the cache does). Not shared between threads. */
export class CompiledRules {
  private destroyed = false;

  constructor(
    private readonly handle: unknown,
    /** Compiler warnings, for the log. */
    readonly warnings: YaraCompileProblem[],
  ) {}

  scanFile(path: string, options: ScanOptions = {}): YaraRuleMatch[] {
    return this.run(path, options, (lib, flags, callback, timeout) => lib.scanFile(this.handle, path, flags, callback, null, timeout));
  }

  scanBuffer(data: Buffer, options: ScanOptions = {}): YaraRuleMatch[] {
    return this.run('<buffer>', options, (lib, flags, callback, timeout) =>
      lib.scanMem(this.handle, data, data.length, flags, callback, null, timeout),
    );
  }

  scanProcess(pid: number, options: ScanOptions = {}): YaraRuleMatch[] {
    return this.run(`process ${pid}`, options, (lib, flags, callback, timeout) => lib.scanProc(this.handle, pid, flags, callback, null, timeout));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    loadLibyara().rulesDestroy(this.handle);
  }

  private run(
    target: string,
    options: ScanOptions,
    scan: (lib: Binding, flags: number, callback: unknown, timeout: number) => number,
  ): YaraRuleMatch[] {
    if (this.destroyed) throw new Error('YARA rules were released before the scan');
    const lib = loadLibyara();
    const found: YaraRuleMatch[] = [];
    const previous = lib.scanState;
    lib.scanState = { found, withStrings: options.withStrings ?? true };
    const flags = options.fastMode === false ? 0 : SCAN_FLAGS_FAST_MODE;
    let code: number;
    try {
      code = scan(lib, flags, lib.scanCallback, options.timeoutSeconds ?? 0);
    } finally {
      lib.scanState = previous;
    }
    if (code !== ERROR_SUCCESS) throw new YaraScanError(target, code);
    return found;
  }
}

/** Whether the file behind `fd` starts as a file compiled by yarac does. */
function isCompiledRulesFile(fd: number): boolean {
  const head = Buffer.alloc(COMPILED_RULES_MAGIC.length);
  return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(COMPILED_RULES_MAGIC);
}

/** Loads a rules file compiled by yarac (yr_rules_load). */
function loadCompiledRules(path: string): CompiledRules {
  const lib = loadLibyara();
  const out: unknown[] = [null];
  const code = lib.rulesLoad(path, out);
  if (code !== ERROR_SUCCESS) throw new Error(`YARA rule file ${path} could not be loaded: ${LOAD_ERROR_TEXT[code] ?? `libyara error ${code}`}`);
  return new CompiledRules(out[0], []);
}

/**
 * Builds one rule set from sources (the default namespace, as the `yara` command and osquery do). A rules file
 * compiled by yarac (it starts with "YARA") is loaded as it is, as osquery does; it must then be the only source of
 * its group — osquery silently keeps one set when compiled and source files are mixed, Quarry says so instead.
 * Throws YaraCompileError with `file:line: message` for every error in source files.
 */
export function compileRules(sources: readonly RuleSource[], openFile: (path: string) => number, closeFile: (fd: number) => void): CompiledRules {
  const compiled = sources.filter((source) => {
    if (source.kind !== 'file') return false;
    const fd = openFile(source.path);
    try {
      return isCompiledRulesFile(fd);
    } finally {
      closeFile(fd);
    }
  });
  if (compiled.length > 0) {
    if (sources.length > 1) {
      const names = compiled.map((source) => (source.kind === 'file' ? source.path : source.name)).join(', ');
      throw new Error(
        `YARA: ${names} ${compiled.length > 1 ? 'are' : 'is a'} precompiled rules file${compiled.length > 1 ? 's' : ''} (yarac), which cannot be combined ` +
          'with other rule files in one signature group or query: put each precompiled file in its own group, or use source files',
      );
    }
    return loadCompiledRules((compiled[0] as { path: string }).path);
  }
  const lib = loadLibyara();
  const out: unknown[] = [null];
  const created = lib.compilerCreate(out);
  if (created !== ERROR_SUCCESS) throw new Error(`YARA compiler could not be created (libyara error ${created})`);
  const compiler = out[0];
  const problems: YaraCompileProblem[] = [];
  let currentName = '';
  const onProblem = (level: number, fileName: string | null, line: number, _rule: unknown, message: string | null): void => {
    problems.push({ file: fileName ?? currentName, line, message: message ?? 'unknown error', warning: level !== YARA_ERROR_LEVEL_ERROR });
  };
  // The compiler keeps the callback between calls, so it must be a registered (persistent) callback.
  const registered = koffiLib().register(onProblem, koffiLib().pointer(lib.compilerCallbackType));
  try {
    lib.compilerSetCallback(compiler, registered, null);
    for (const source of sources) {
      let errors: number;
      if (source.kind === 'text') {
        currentName = source.name;
        errors = lib.compilerAddString(compiler, source.text, null);
      } else {
        currentName = source.path;
        const fd = openFile(source.path);
        try {
          errors = lib.compilerAddFd(compiler, fd, null, source.path);
        } finally {
          closeFile(fd);
        }
      }
      // libyara's compiler cannot take more sources after an error.
      if (errors > 0) throw new YaraCompileError(problems);
    }
    const rulesOut: unknown[] = [null];
    const got = lib.compilerGetRules(compiler, rulesOut);
    if (got !== ERROR_SUCCESS) throw new Error(`YARA rules could not be built (libyara error ${got})`);
    return new CompiledRules(rulesOut[0], problems.filter((p) => p.warning));
  } finally {
    lib.compilerDestroy(compiler);
    koffiLib().unregister(registered);
  }
}
