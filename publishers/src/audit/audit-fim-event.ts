/**
 * What one audited file syscall did, for process_file_events: the operation (osquery's names) and the absolute
 * paths, read from the SYSCALL, CWD and PATH records of one event. Pure except resolveDirFd (a readlink in /proc).
 *
 * Operations. Quarry's kernel rules filter by path (audit-fim-rules.ts), so syscalls on file descriptors (read,
 * write, close, dup, mmap) are never audited and no per-process fd table is kept. An open is therefore reported by
 * its intent: O_TRUNC (and creat(2), truncate(2)) → `open+truncate`; opened for writing (O_WRONLY, O_RDWR, O_CREAT)
 * → `write`; read-only → `read` (an access: shown only with --audit_fim_show_accesses). unlink/unlinkat → `unlink`,
 * rename* → `rename` (path = old name, dest_path = new name), link* → `link` (path = existing file, dest_path = the
 * new name), symlink* → `symlink` (path = the link's target as written, made absolute against the link's directory,
 * dest_path = the link). osquery's `open` and `close` never appear (no fd tracking).
 *
 * Paths. The kernel logs a PATH name as the process passed it. A relative name is joined to the CWD record when the
 * syscall resolves it against the cwd (no dirfd, or AT_FDCWD); against another directory fd it is resolved through
 * /proc/<pid>/fd/<fd> while the process still has it, else the row is partial (path relative as logged).
 */
import { readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { decodeAuditString } from 'node-audit';
import type { AuditEventContext, AuditEventRecord, AuditFimFacts, FimOperation } from '@quarry/events';

export type { AuditFimEventContext, AuditFimFacts, FimOperation } from '@quarry/events';

const AUDIT_PATH = 1302;
const O_ACCMODE = 3;
const O_CREAT = 0x40;
const O_TRUNC = 0x200;
/** AT_FDCWD (-100) as the kernel logs a syscall argument: 32-bit or 64-bit hex. */
const AT_FDCWD = new Set(['ffffff9c', 'ffffffffffffff9c']);

type Shape =
  | { kind: 'open'; flagsArg: 'a1' | 'a2' | 'creat' }
  | { kind: 'truncate' }
  | { kind: 'unlink'; dirArg?: 'a0' }
  | { kind: 'rename'; oldDirArg?: 'a0'; newDirArg?: 'a2' }
  | { kind: 'link'; oldDirArg?: 'a0'; newDirArg?: 'a2' }
  | { kind: 'symlink'; newDirArg?: 'a1' };

/** Syscall name → how its records read. Names as node-audit's tables spell them. */
const SHAPES: ReadonlyMap<string, Shape> = new Map<string, Shape>([
  ['open', { kind: 'open', flagsArg: 'a1' }],
  ['openat', { kind: 'open', flagsArg: 'a2' }],
  ['open_by_handle_at', { kind: 'open', flagsArg: 'a2' }],
  ['creat', { kind: 'open', flagsArg: 'creat' }],
  ['truncate', { kind: 'truncate' }],
  ['unlink', { kind: 'unlink' }],
  ['unlinkat', { kind: 'unlink', dirArg: 'a0' }],
  ['rename', { kind: 'rename' }],
  ['renameat', { kind: 'rename', oldDirArg: 'a0', newDirArg: 'a2' }],
  ['renameat2', { kind: 'rename', oldDirArg: 'a0', newDirArg: 'a2' }],
  ['link', { kind: 'link' }],
  ['linkat', { kind: 'link', oldDirArg: 'a0', newDirArg: 'a2' }],
  ['symlink', { kind: 'symlink' }],
  ['symlinkat', { kind: 'symlink', newDirArg: 'a1' }],
]);

/** True for the syscalls process_file_events reports. */
export function isFimSyscall(name: string): boolean {
  return SHAPES.has(name);
}

interface PathItem {
  name: string;
  nametype: string;
}

function pathItems(records: readonly AuditEventRecord[]): PathItem[] {
  const items: Array<PathItem & { item: number }> = [];
  for (const r of records) {
    if (r.type !== AUDIT_PATH) continue;
    const raw = r.fields.get('name');
    if (raw === undefined || raw === '(null)') continue;
    items.push({ item: Number(r.fields.get('item') ?? items.length), name: decodeAuditString(raw), nametype: r.fields.get('nametype') ?? '' });
  }
  return items.sort((a, b) => a.item - b.item);
}

/** Where a directory fd of a live process points, or undefined (process or fd gone). */
export function resolveDirFd(pid: number, fd: number): string | undefined {
  try {
    const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    return target.startsWith('/') ? target : undefined;
  } catch {
    return undefined;
  }
}

interface Resolver {
  cwd: string | undefined;
  pid: number;
  args: ReadonlyMap<string, string>;
  dirFd: (pid: number, fd: number) => string | undefined;
}

/** A logged name made absolute and normalised; partial when its base directory is unknown. */
function absolute(name: string, dirArg: string | undefined, r: Resolver): { path: string; partial: boolean } {
  if (name.startsWith('/')) return { path: posix.normalize(name), partial: false };
  const arg = dirArg === undefined ? undefined : r.args.get(dirArg)?.toLowerCase();
  let base: string | undefined;
  if (arg === undefined || AT_FDCWD.has(arg)) base = r.cwd;
  else {
    const fd = Number.parseInt(arg, 16);
    base = Number.isInteger(fd) && fd >= 0 && fd < 0x80000000 ? r.dirFd(r.pid, fd) : undefined;
  }
  if (base === undefined || !base.startsWith('/')) return { path: name, partial: true };
  return { path: posix.join(base, name), partial: false };
}

/**
 * The facts of one syscall event, or undefined when it is not a file syscall process_file_events reports (or its
 * records lack the object's PATH). `dirFd` is replaceable for tests.
 */
export function fimFacts(ctx: Pick<AuditEventContext, 'kind' | 'syscall' | 'records' | 'cwd'>, dirFd = resolveDirFd): AuditFimFacts | undefined {
  if (ctx.kind !== 'syscall' || !ctx.syscall || !ctx.syscall.success) return undefined;
  const shape = SHAPES.get(ctx.syscall.name);
  const syscall = ctx.records[0];
  if (!shape || !syscall) return undefined;
  const items = pathItems(ctx.records);
  const r: Resolver = { cwd: ctx.cwd, pid: Number(syscall.fields.get('pid') ?? 0), args: syscall.fields, dirFd };
  const byType = (type: string): PathItem | undefined => items.find((i) => i.nametype === type);
  const object = (): PathItem | undefined => byType('CREATE') ?? items.filter((i) => i.nametype !== 'PARENT').at(-1);
  const one = (operation: FimOperation, item: PathItem | undefined, dirArg: string | undefined, access = false): AuditFimFacts | undefined => {
    if (!item) return undefined;
    const p = absolute(item.name, dirArg, r);
    return { operation, path: p.path, destPath: '', partial: p.partial, access };
  };
  switch (shape.kind) {
    case 'open': {
      const flags = shape.flagsArg === 'creat' ? O_CREAT | O_TRUNC | 1 : Number.parseInt(syscall.fields.get(shape.flagsArg) ?? '0', 16) || 0;
      const dirArg = shape.flagsArg === 'a2' ? 'a0' : undefined;
      if (flags & O_TRUNC) return one('open+truncate', object(), dirArg);
      if ((flags & O_ACCMODE) !== 0 || (flags & O_CREAT)) return one('write', object(), dirArg);
      return one('read', object(), dirArg, true);
    }
    case 'truncate':
      return one('open+truncate', object(), undefined);
    case 'unlink':
      return one('unlink', byType('DELETE') ?? object(), shape.dirArg);
    case 'rename':
    case 'link':
    case 'symlink': {
      const dest = byType('CREATE');
      const source = shape.kind === 'rename' ? byType('DELETE') : shape.kind === 'link' ? byType('NORMAL') : byType('UNKNOWN');
      if (!dest || !source) return undefined;
      const to = absolute(dest.name, shape.newDirArg, r);
      let from: { path: string; partial: boolean };
      if (shape.kind === 'symlink') {
        // A symlink's target is relative to the link's own directory, not to the cwd.
        from = source.name.startsWith('/') || to.partial
          ? { path: source.name.startsWith('/') ? posix.normalize(source.name) : source.name, partial: to.partial }
          : { path: posix.join(posix.dirname(to.path), source.name), partial: false };
      } else {
        from = absolute(source.name, shape.oldDirArg, r);
      }
      return { operation: shape.kind, path: from.path, destPath: to.path, partial: from.partial || to.partial, access: false };
    }
  }
}
