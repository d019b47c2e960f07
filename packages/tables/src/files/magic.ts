/**
 * osquery's `magic`: libmagic's description, MIME type and MIME encoding of files named by `path` (`=`, IN, LIKE with
 * % and %%), using the compiled magic databases in `magic_db_files` (colon-separated) or the system database.
 *
 * As osquery, every path given with `=` gets a row with libmagic's own answer, so a missing file reads
 * "cannot open `…' (No such file or directory)", a directory "directory", a FIFO "fifo (named pipe)" (answered from
 * lstat; libmagic never opens it, and it opens regular files O_NONBLOCK). Symlinks are not followed
 * ("symbolic link to …"), as osquery (MAGIC_NONE) and `file` without -L.
 */
import { statSync } from 'node:fs';
import { QueryError, type QueryContext, type Row, type TableDefinition } from '@quarry/sql';
import { loadLibmagic, MAGIC_MIME_ENCODING, MAGIC_MIME_TYPE, MAGIC_NONE, type LibmagicBinding, type MagicCookie } from './libmagic.js';
import { pathsFromConstraints } from './path-patterns.js';

/** osquery's default database list (the first that exist are used, by real path once). */
export const OSQUERY_MAGIC_FILES = ['/usr/share/file/magic.mgc', '/usr/share/misc/magic.mgc'];

/** How many (flag set, database list) cookies a table keeps open; the least recently used is closed beyond this. */
const MAX_OPEN_COOKIES = 24;

/** The passes the table makes, each with its own cookie: column → libmagic flags. */
const PASSES: ReadonlyArray<{ column: 'data' | 'mime_type' | 'mime_encoding'; flags: number }> = [
  { column: 'data', flags: MAGIC_NONE },
  { column: 'mime_type', flags: MAGIC_MIME_TYPE },
  { column: 'mime_encoding', flags: MAGIC_MIME_ENCODING },
];

/** Identity of a database file (and of the `.mgc` libmagic prefers next to it): a recompiled file opens a new cookie. */
function databaseStamp(list: string): string {
  const parts: string[] = [];
  for (const name of list.split(':')) {
    for (const candidate of [name, `${name}.mgc`]) {
      try {
        const stats = statSync(candidate, { throwIfNoEntry: false });
        if (stats) parts.push(`${candidate}@${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`);
      } catch {
        // unreadable: libmagic will say so when loading
      }
    }
  }
  return parts.join('|');
}

/** The default database list: osquery's candidates that exist, each real file once; else libmagic's own default. */
function defaultDatabases(libmagic: LibmagicBinding): string {
  const seen = new Set<string>();
  const chosen: string[] = [];
  for (const candidate of OSQUERY_MAGIC_FILES) {
    try {
      const stats = statSync(candidate, { throwIfNoEntry: false });
      if (!stats?.isFile()) continue;
      const id = `${stats.dev}:${stats.ino}`;
      if (seen.has(id)) continue;
      seen.add(id);
      chosen.push(candidate);
    } catch {
      continue;
    }
  }
  return chosen.length > 0 ? chosen.join(':') : (libmagic.getpath(null, 0) ?? '');
}

/**
 * The magic cookies of one table: one per (flag set, database list), loaded once and reused across queries until the
 * database files change or the cookie is the least recently used beyond MAX_OPEN_COOKIES. The engine has no close
 * hook, so cookies live as long as the table (one table per engine per thread); `close()` releases them all.
 */
export class MagicCookies {
  private readonly open = new Map<string, { stamp: string; cookie: MagicCookie }>();

  constructor(private readonly libmagic: LibmagicBinding) {}

  /** A cookie with `flags` and `databases` loaded, or an Error saying why libmagic refused the databases. */
  cookie(flags: number, databases: string): MagicCookie | Error {
    const key = `${flags}\0${databases}`;
    const stamp = databaseStamp(databases);
    const cached = this.open.get(key);
    if (cached) {
      this.open.delete(key);
      if (cached.stamp === stamp) {
        this.open.set(key, cached);
        return cached.cookie;
      }
      this.libmagic.close(cached.cookie);
    }
    const cookie = this.libmagic.open(flags);
    if (cookie === null) return new Error('libmagic could not allocate a cookie (magic_open failed)');
    if (this.libmagic.load(cookie, databases) !== 0) {
      const reason = this.libmagic.error(cookie) ?? 'unknown error';
      this.libmagic.close(cookie);
      return new Error(reason);
    }
    this.open.set(key, { stamp, cookie });
    while (this.open.size > MAX_OPEN_COOKIES) {
      const [oldestKey, oldest] = this.open.entries().next().value as [string, { cookie: MagicCookie }];
      this.libmagic.close(oldest.cookie);
      this.open.delete(oldestKey);
    }
    return cookie;
  }

  /** Closes every cookie. */
  close(): void {
    for (const { cookie } of this.open.values()) this.libmagic.close(cookie);
    this.open.clear();
  }
}

function constraintTexts(context: QueryContext, column: string): string[] {
  const out: string[] = [];
  for (const value of context.equals(column)) {
    if (value === null || value instanceof Uint8Array) continue;
    const text = String(value);
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

/** A `magic` table owning its own cookies (one per engine). */
export function createMagicTable(): TableDefinition {
  let cookies: MagicCookies | undefined;
  let libmagic: LibmagicBinding | undefined;

  function* generate(context: QueryContext): Iterable<Row> {
    const paths = pathsFromConstraints(context, 'path', 'all');
    if (paths.length === 0) return;
    try {
      libmagic ??= loadLibmagic();
    } catch (error) {
      throw new QueryError((error as Error).message);
    }
    cookies ??= new MagicCookies(libmagic);
    const requested = constraintTexts(context, 'magic_db_files');
    const databaseLists = requested.length > 0 ? requested : [defaultDatabases(libmagic)];
    const passes = PASSES.filter((pass) => context.columnsUsed.size === 0 || context.columnsUsed.has(pass.column));
    for (const databases of databaseLists) {
      if (databases.length === 0) {
        context.session.warn(
          'magic: magic_db_files is empty; give colon-separated magic databases (file -C -m FILE compiles one) or leave it out for the system database',
        );
        continue;
      }
      const opened: Array<{ column: string; cookie: MagicCookie }> = [];
      let failure: Error | undefined;
      for (const pass of passes) {
        const cookie = cookies.cookie(pass.flags, databases);
        if (cookie instanceof Error) {
          failure = cookie;
          break;
        }
        opened.push({ column: pass.column, cookie });
      }
      if (failure) {
        context.session.warn(
          `magic: unable to load the magic database list ${JSON.stringify(databases)}: ${failure.message}; magic_db_files takes colon-separated magic files (compile one with: file -C -m FILE)`,
        );
        continue;
      }
      for (const path of paths) {
        const row: Row = { path, magic_db_files: databases };
        for (const { column, cookie } of opened) row[column] = libmagic.file(cookie, path);
        yield row;
      }
    }
  }

  return {
    name: 'magic',
    description: 'Magic number recognition library table.',
    columns: [
      { name: 'path', type: 'TEXT', required: true, index: true, description: 'Absolute path to target file' },
      { name: 'magic_db_files', type: 'TEXT', additional: true, description: 'Colon(:) separated list of files where the magic db file can be found. By default one of the following is used: /usr/share/file/magic/magic, /usr/share/misc/magic or /usr/share/misc/magic.mgc' },
      { name: 'data', type: 'TEXT', description: 'Magic number data from libmagic' },
      { name: 'mime_type', type: 'TEXT', description: 'MIME type data from libmagic' },
      { name: 'mime_encoding', type: 'TEXT', description: 'MIME encoding data from libmagic' },
    ],
    generate,
  };
}

/** The magic table with its own cookie set. */
export const magic: TableDefinition = createMagicTable();
