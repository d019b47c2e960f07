/**
 * The seccomp filter actions (SECCOMP_RET_* of linux/seccomp.h) a SECCOMP audit record's `code` names. The kernel
 * logs the action without its data part; a value that is not exactly one of these is "<n>(unknown)", n in decimal.
 */
const SECCOMP_ACTIONS = new Map<number, string>([
  [0x80000000, 'KILL_PROCESS'],
  [0x00000000, 'KILL_THREAD'],
  [0x00030000, 'TRAP'],
  [0x00050000, 'ERRNO'],
  [0x7ff00000, 'TRACE'],
  [0x7ffc0000, 'LOG'],
  [0x7fff0000, 'ALLOW'],
]);

export function seccompActionLabel(code: number): string {
  return SECCOMP_ACTIONS.get(code) ?? `${code}(unknown)`;
}
