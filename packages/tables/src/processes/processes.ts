import { existsSync, statSync } from 'node:fs';
import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { USER_HZ, integerValue, readText } from '../system/host-files.js';
import {
  bootTime,
  pidsFromContext,
  readCgroupPath,
  readCmdline,
  readProcIo,
  readProcLink,
  readProcStat,
  readProcStatus,
  statusBytes,
  statusIds,
} from './proc-reader.js';

const DELETED_SUFFIX = ' (deleted)';
const MS_PER_TICK = 1000 / USER_HZ;

/** True when the inode mapped for `path` in /proc/<pid>/maps is the inode of the file now at `path`. */
function mappedInodeMatches(pid: number, path: string): boolean | undefined {
  const maps = readText(`/proc/${pid}/maps`);
  if (maps === undefined) return undefined;
  const line = maps.split('\n').find((l) => l.endsWith(` ${path}`) || l.endsWith(`\t${path}`));
  if (line === undefined) return undefined;
  const inode = line.trim().split(/\s+/)[4];
  try {
    return String(statSync(path).ino) === inode;
  } catch {
    return undefined;
  }
}

/**
 * osquery's on_disk: 1 when the executable exists, 0 when it was deleted (the " (deleted)" suffix is then stripped
 * from path), -1 when the path is unknown. A file really named "x (deleted)" is recognised by its mapped inode.
 */
function onDisk(pid: number, path: string): { onDisk: number; path: string } {
  if (path === '') return { onDisk: -1, path };
  if (!path.endsWith(DELETED_SUFFIX)) return { onDisk: existsSync(path) ? 1 : 0, path };
  const stripped = path.slice(0, -DELETED_SUFFIX.length);
  if (!existsSync(path)) return { onDisk: 0, path: stripped };
  const matches = mappedInodeMatches(pid, path);
  if (matches === undefined) return { onDisk: -1, path };
  return matches ? { onDisk: 1, path } : { onDisk: 0, path: stripped };
}

/** Which groups of /proc files a query needs; select * needs them all. */
function neededSources(context: QueryContext) {
  const used = (...columns: string[]) => columns.some((c) => context.columnsUsed.has(c));
  return {
    status: used('name', 'uid', 'gid', 'euid', 'egid', 'suid', 'sgid', 'resident_size', 'total_size'),
    cmdline: used('cmdline'),
    exe: used('path', 'on_disk'),
    cwd: used('cwd'),
    root: used('root'),
    io: used('disk_bytes_read', 'disk_bytes_written'),
    cgroup: used('cgroup_path'),
  };
}

/** One row for a pid, or undefined when the process vanished. */
function processRow(pid: number, boot: number, needs: ReturnType<typeof neededSources>): Row | undefined {
  const stat = readProcStat(pid);
  if (stat === undefined) return undefined;
  const row: Row = {
    pid,
    state: stat.state,
    parent: stat.parent,
    pgroup: stat.pgroup,
    nice: stat.nice,
    threads: stat.threads,
    user_time: Math.round(stat.userTicks * MS_PER_TICK),
    system_time: Math.round(stat.systemTicks * MS_PER_TICK),
    start_time: boot > 0 ? boot + Math.floor(stat.startTicks / USER_HZ) : -1,
    wired_size: 0,
  };
  if (needs.status) {
    const status = readProcStatus(pid);
    if (status === undefined) return undefined;
    row.name = status.get('Name') ?? '';
    const uids = statusIds(status.get('Uid'));
    const gids = statusIds(status.get('Gid'));
    if (uids !== undefined) [row.uid, row.euid, row.suid] = uids;
    if (gids !== undefined) [row.gid, row.egid, row.sgid] = gids;
    row.resident_size = statusBytes(status.get('VmRSS'));
    row.total_size = statusBytes(status.get('VmSize'));
  }
  if (needs.cmdline) row.cmdline = readCmdline(pid);
  if (needs.exe) {
    const exe = onDisk(pid, readProcLink(pid, 'exe'));
    row.path = exe.path;
    row.on_disk = exe.onDisk;
  }
  if (needs.cwd) row.cwd = readProcLink(pid, 'cwd');
  if (needs.root) row.root = readProcLink(pid, 'root');
  if (needs.io) {
    const io = readProcIo(pid);
    if (io !== undefined) {
      row.disk_bytes_read = integerValue(io.get('read_bytes'));
      const written = Number(io.get('write_bytes') ?? 0) - Number(io.get('cancelled_write_bytes') ?? 0);
      row.disk_bytes_written = Number.isFinite(written) ? written : undefined;
    }
  }
  if (needs.cgroup) row.cgroup_path = readCgroupPath(pid);
  return row;
}

/** Every running process (or only the constrained pids), from /proc. */
export const processes: TableDefinition = {
  name: 'processes',
  description: 'All running processes on the host system.',
  attributes: { cacheable: true },
  columns: [
    { name: 'pid', type: 'BIGINT', index: true, optimized: true, description: 'Process (or thread) ID' },
    { name: 'name', type: 'TEXT', description: 'The process path or shorthand argv[0]' },
    { name: 'path', type: 'TEXT', description: 'Path to executed binary' },
    { name: 'cmdline', type: 'TEXT', description: 'Complete argv' },
    { name: 'state', type: 'TEXT', description: 'Process state' },
    { name: 'cwd', type: 'TEXT', description: 'Process current working directory' },
    { name: 'root', type: 'TEXT', description: 'Process virtual root directory' },
    { name: 'uid', type: 'BIGINT', description: 'Unsigned user ID' },
    { name: 'gid', type: 'BIGINT', description: 'Unsigned group ID' },
    { name: 'euid', type: 'BIGINT', description: 'Unsigned effective user ID' },
    { name: 'egid', type: 'BIGINT', description: 'Unsigned effective group ID' },
    { name: 'suid', type: 'BIGINT', description: 'Unsigned saved user ID' },
    { name: 'sgid', type: 'BIGINT', description: 'Unsigned saved group ID' },
    { name: 'on_disk', type: 'INTEGER', description: 'The process path exists yes=1, no=0, unknown=-1' },
    { name: 'wired_size', type: 'BIGINT', description: 'Bytes of unpageable memory used by process' },
    { name: 'resident_size', type: 'BIGINT', description: 'Bytes of private memory used by process' },
    { name: 'total_size', type: 'BIGINT', description: 'Total virtual memory size' },
    { name: 'user_time', type: 'BIGINT', description: 'CPU time in milliseconds spent in user space' },
    { name: 'system_time', type: 'BIGINT', description: 'CPU time in milliseconds spent in kernel space' },
    { name: 'disk_bytes_read', type: 'BIGINT', description: 'Bytes read from disk' },
    { name: 'disk_bytes_written', type: 'BIGINT', description: 'Bytes written to disk' },
    { name: 'start_time', type: 'BIGINT', description: 'Process start time in seconds since Epoch, in case of error -1' },
    { name: 'parent', type: 'BIGINT', description: 'Process parent\'s PID' },
    { name: 'pgroup', type: 'BIGINT', description: 'Process group' },
    { name: 'threads', type: 'INTEGER', description: 'Number of threads used by process' },
    { name: 'nice', type: 'INTEGER', description: 'Process nice level (-20 to 20, default 0)' },
    { name: 'cgroup_path', type: 'TEXT', description: 'The full hierarchical path of the process\'s control group' },
  ],
  *generate(context) {
    const needs = neededSources(context);
    const boot = bootTime();
    for (const pid of pidsFromContext(context)) {
      const row = processRow(pid, boot, needs);
      if (row !== undefined) yield row;
    }
  },
};
