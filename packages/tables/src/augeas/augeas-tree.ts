/**
 * One libaugeas handle and the tree it holds, owned by one augeas table definition (as osquery keeps one handle per
 * process): lenses are compiled once, and libaugeas re-parses a file only when its mtime changed. The handle is
 * reopened when --augeas_lenses or the root changes.
 */
import {
  AUG_NOERROR,
  AUG_NO_ERR_CLOSE,
  AUG_NO_LOAD,
  AUG_NO_STDINC,
  AUG_SAVE_NOOP,
  decodeCString,
  decodePointerAt,
  loadLibaugeas,
  type AugeasBinding,
} from './libaugeas.js';

/** One node of the tree, as the augeas table reports it. */
export interface AugeasNode {
  node: string;
  value: string;
  label: string;
  /** The file the node was read from (or the node's own path under /files when it is a directory node). */
  path: string;
}

/** A file augeas has a lens for but could not parse (from /augeas/files<path>/error). */
export interface AugeasFileProblem {
  path: string;
  error: string;
  message: string;
  line?: string;
  char?: string;
  lens?: string;
}

export function describeProblem(problem: AugeasFileProblem): string {
  const where = problem.line ? ` at line ${problem.line}${problem.char ? `, char ${problem.char}` : ''}` : '';
  const lens = problem.lens ? ` with lens ${problem.lens.replace(/:$/, '')}` : '';
  const what = problem.message || problem.error;
  return `augeas could not parse ${problem.path}${lens}${where}: ${what}`;
}

/** Thrown when the handle cannot be opened (lens directory problems); the table turns it into a QueryError. */
export class AugeasInitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AugeasInitError';
  }
}

const FILES_PREFIX = '/files';
const MATCH_VARIABLE = 'quarry_matches';

/** Quotes a file path for an augeas path expression when it holds characters the expression language reserves. */
export function augeasPathOf(file: string): string {
  return `${FILES_PREFIX}${file.replace(/[\[\]()|*=!<>$,'"\\ \t]/g, (char) => `\\${char}`)}`;
}

export class AugeasTree {
  private aug: unknown = null;
  private openedWith = '';
  private readonly lib: AugeasBinding;

  constructor() {
    this.lib = loadLibaugeas();
  }

  /** Opens (or reopens after a change) the handle with these lenses and root; root null = $AUGEAS_ROOT or '/'. */
  open(lenses: string, root: string | null): void {
    const key = `${lenses}\0${root ?? ''}`;
    if (this.aug !== null && this.openedWith === key) return;
    this.close();
    const aug = this.lib.init(root, lenses, AUG_NO_ERR_CLOSE | AUG_NO_LOAD | AUG_NO_STDINC | AUG_SAVE_NOOP);
    if (aug === null) throw new AugeasInitError(`augeas could not be initialized with the lenses in ${lenses} (out of memory?)`);
    if (this.lib.error(aug) !== AUG_NOERROR) {
      const message = this.errorText(aug);
      this.lib.close(aug);
      throw new AugeasInitError(`augeas could not load the lenses in ${lenses} (--augeas_lenses): ${message}`);
    }
    this.aug = aug;
    this.openedWith = key;
  }

  close(): void {
    if (this.aug !== null) this.lib.close(this.aug);
    this.aug = null;
    this.openedWith = '';
  }

  /**
   * Loads one file, as it is now, with the lenses whose `incl` matches it. Returns false when no lens applies or the
   * file does not exist (then it is dropped from the tree: libaugeas would keep the last parse).
   */
  loadFile(file: string, exists: boolean): boolean {
    const aug = this.handle();
    // aug_load_file keeps an already loaded file as it was: drop it so every query reads the file as it is now.
    this.lib.rm(aug, augeasPathOf(file));
    this.lib.rm(aug, `/augeas${augeasPathOf(file)}`);
    if (!exists) return false;
    return this.lib.loadFile(aug, file) === 0;
  }

  /** Loads every file of every lens's `incl` (osquery's behaviour without a path constraint). */
  loadAll(): void {
    const aug = this.handle();
    if (this.lib.load(aug) < 0) throw new Error(`augeas could not load the configured files: ${this.errorText(aug)}`);
  }

  /** Every node the augeas path expression matches, in libaugeas' order. */
  match(expression: string): AugeasNode[] {
    const aug = this.handle();
    if (this.lib.defvar(aug, MATCH_VARIABLE, expression) < 0) {
      throw new Error(`augeas rejected the path expression ${JSON.stringify(expression)}: ${this.errorText(aug)}`);
    }
    const out: unknown[] = [null];
    const count = this.lib.match(aug, `$${MATCH_VARIABLE}`, out);
    if (count < 0) throw new Error(`augeas could not match ${JSON.stringify(expression)}: ${this.errorText(aug)}`);
    const array = out[0];
    if (array === null || array === undefined) return [];
    const nodes: AugeasNode[] = [];
    try {
      for (let index = 0; index < count; index++) {
        const pointer = decodePointerAt(array, index);
        if (pointer === null) continue;
        const node = decodeCString(pointer);
        this.lib.free(pointer);
        const value: (string | null)[] = [null];
        const label: (string | null)[] = [null];
        const file: unknown[] = [null];
        if (this.lib.nsAttr(aug, MATCH_VARIABLE, index, value, label, file) < 0) continue;
        let path = node.startsWith(FILES_PREFIX) ? node.slice(FILES_PREFIX.length) : node;
        if (file[0] !== null && file[0] !== undefined) {
          const source = decodeCString(file[0]);
          this.lib.free(file[0]);
          path = source.startsWith(FILES_PREFIX) ? source.slice(FILES_PREFIX.length) : source;
        }
        nodes.push({ node, value: value[0] ?? '', label: label[0] ?? '', path });
      }
    } finally {
      this.lib.free(array);
    }
    return nodes;
  }

  /** The parse error libaugeas recorded for `file`, if any. */
  problemOf(file: string): AugeasFileProblem | undefined {
    return this.problemAt(`/augeas${augeasPathOf(file)}/error`, file);
  }

  /** Every parse error recorded under /augeas/files (after loadAll). */
  allProblems(): AugeasFileProblem[] {
    const problems: AugeasFileProblem[] = [];
    for (const found of this.match('/augeas/files//error')) {
      const file = found.node.slice('/augeas/files'.length, -'/error'.length);
      const problem = this.problemAt(found.node, file);
      if (problem) problems.push(problem);
    }
    return problems;
  }

  private problemAt(errorNode: string, file: string): AugeasFileProblem | undefined {
    const error = this.get(errorNode);
    if (error === undefined) return undefined;
    const problem: AugeasFileProblem = { path: file, error, message: this.get(`${errorNode}/message`) ?? '' };
    const line = this.get(`${errorNode}/line`);
    const char = this.get(`${errorNode}/char`);
    const lens = this.get(`${errorNode}/lens`);
    if (line !== undefined) problem.line = line;
    if (char !== undefined) problem.char = char;
    if (lens !== undefined) problem.lens = lens;
    return problem;
  }

  private get(path: string): string | undefined {
    const value: (string | null)[] = [null];
    const found = this.lib.get(this.handle(), path, value);
    return found === 1 ? (value[0] ?? '') : undefined;
  }

  private handle(): unknown {
    if (this.aug === null) throw new Error('augeas handle used before open()');
    return this.aug;
  }

  private errorText(aug: unknown): string {
    const parts = [this.lib.errorMessage(aug), this.lib.errorMinorMessage(aug), this.lib.errorDetails(aug)];
    return parts.filter((part): part is string => typeof part === 'string' && part.length > 0).join(': ') || 'unknown error';
  }
}
