// Syscall numbers by architecture, for audit rules. Names follow libaudit (ausyscall): pread/pwrite, not pread64.
import { AUDIT_ARCH_AARCH64, AUDIT_ARCH_X86_64 } from './constants.js';

export type AuditArchName = 'x86_64' | 'aarch64';

const X86_64: Readonly<Record<string, number>> = {
  read: 0, write: 1, open: 2, close: 3, mmap: 9, pread: 17, pwrite: 18, readv: 19, writev: 20, dup: 32, dup2: 33,
  socket: 41, connect: 42, accept: 43, sendto: 44, recvfrom: 45, bind: 49, listen: 50, clone: 56, fork: 57, vfork: 58,
  execve: 59, kill: 62, truncate: 76, ftruncate: 77, rename: 82, creat: 85, link: 86, unlink: 87, symlink: 88, chmod: 90,
  fchmod: 91, chown: 92, fchown: 93, lchown: 94, ptrace: 101, setuid: 105, setgid: 106, mknod: 133, mount: 165,
  umount2: 166, init_module: 175, delete_module: 176, tkill: 200, exit_group: 231, tgkill: 234, openat: 257,
  mknodat: 259, fchownat: 260, unlinkat: 263, renameat: 264, linkat: 265, symlinkat: 266, fchmodat: 268,
  accept4: 288, dup3: 292, preadv: 295, pwritev: 296, name_to_handle_at: 303, open_by_handle_at: 304,
  finit_module: 313, renameat2: 316, execveat: 322,
};

const AARCH64: Readonly<Record<string, number>> = {
  dup: 23, dup3: 24, mknodat: 33, unlinkat: 35, symlinkat: 36, linkat: 37, renameat: 38, umount2: 39, mount: 40,
  truncate: 45, ftruncate: 46, fchmod: 52, fchmodat: 53, fchownat: 54, fchown: 55, openat: 56, close: 57, read: 63,
  write: 64, readv: 65, writev: 66, pread: 67, pwrite: 68, preadv: 69, pwritev: 70, exit_group: 94, init_module: 105,
  delete_module: 106, ptrace: 117, kill: 129, tkill: 130, tgkill: 131, setgid: 144, setuid: 146, socket: 198,
  bind: 200, listen: 201, accept: 202, connect: 203, sendto: 206, recvfrom: 207, clone: 220, execve: 221, mmap: 222,
  accept4: 242, name_to_handle_at: 264, open_by_handle_at: 265, finit_module: 273, renameat2: 276, execveat: 281,
};

const TABLES: Record<AuditArchName, Readonly<Record<string, number>>> = { x86_64: X86_64, aarch64: AARCH64 };
const ALIASES: Readonly<Record<string, string>> = { pread64: 'pread', pwrite64: 'pwrite' };

/** AUDIT_ARCH_* value for an architecture name. */
export function auditArchValue(arch: AuditArchName): number {
  return arch === 'x86_64' ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64;
}

/** The architecture this Node process runs on, or undefined when it has no syscall table here. */
export function hostAuditArch(): AuditArchName | undefined {
  if (process.arch === 'x64') return 'x86_64';
  if (process.arch === 'arm64') return 'aarch64';
  return undefined;
}

/** Syscall number for a name on an architecture, or undefined if it does not exist there (fork on aarch64). */
export function syscallNumber(arch: AuditArchName, name: string): number | undefined {
  const table = TABLES[arch];
  const key = ALIASES[name] ?? name;
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Syscall name for a number on an architecture, or undefined when the table here does not list it. */
export function syscallName(arch: AuditArchName, nr: number): string | undefined {
  let names = namesByNumber.get(arch);
  if (!names) {
    names = new Map<number, string>();
    // First name wins for a number listed twice, as the linear scan it replaces did.
    for (const [name, n] of Object.entries(TABLES[arch])) if (!names.has(n)) names.set(n, name);
    namesByNumber.set(arch, names);
  }
  return names.get(nr);
}

/** number → name per architecture, built on first use (the tables are constant). */
const namesByNumber = new Map<AuditArchName, Map<number, string>>();

/** Every [name, number] pair known for an architecture. */
export function syscallTable(arch: AuditArchName): Array<[string, number]> {
  return Object.entries(TABLES[arch]).sort((a, b) => a[1] - b[1]);
}
