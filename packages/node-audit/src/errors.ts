// AuditError: a failed netlink or libc call, with the errno name and a hint saying what to do.
import koffi from 'koffi';

const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(koffi.os.errno).map(([name, n]) => [n, name]));

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

/** What to do about an errno, given the operation that failed. */
function hintFor(operation: string, code: string): string {
  switch (code) {
    case 'EPERM':
      if (operation.includes('user message')) return 'not root: sending audit messages needs CAP_AUDIT_WRITE';
      if (operation.includes('multicast')) return 'not root: reading the audit multicast log needs CAP_AUDIT_READ';
      return 'not root / missing CAP_AUDIT_CONTROL: run as root or grant the capability';
    case 'EACCES':
      return 'permission denied: only the process that registered as the audit daemon may release it';
    case 'EEXIST':
      if (operation.includes('pid')) return 'another audit daemon holds the kernel audit pid (see `auditctl -s`); stop it, or listen in multicast mode';
      return 'the kernel already has this exact rule';
    case 'ENOENT':
      return 'the kernel has no such rule (compare with `auditctl -l`)';
    case 'EINVAL':
      return 'the kernel rejected the request as invalid (unknown field, operator, value or syscall for this list)';
    case 'EPROTONOSUPPORT':
      return 'this kernel has no audit support (CONFIG_AUDIT) or NETLINK_AUDIT is unavailable in this network namespace';
    case 'ECONNREFUSED':
      return 'the kernel refused the netlink connection; audit may be unavailable in this namespace';
    case 'ETIMEDOUT':
      return 'the kernel did not answer in time; retry, and check `auditctl -s`';
    case 'ENOBUFS':
      return 'the socket receive buffer overflowed and records were lost; read faster or raise the receive buffer';
    default:
      return 'see `auditctl -s` and the kernel log for details';
  }
}

export class AuditError extends Error {
  /** Positive errno value (0 when the failure is not an errno, e.g. a malformed reply). */
  readonly errno: number;
  /** Symbolic errno such as "EPERM", or "EPROTO" for malformed replies. */
  readonly code: string;
  /** The operation that failed, e.g. "set audit status". */
  readonly operation: string;

  constructor(operation: string, errno: number, detail?: string) {
    const code = errno === 0 ? 'EPROTO' : errnoName(errno);
    super(`${operation} failed: ${code}${detail ? ` (${detail})` : ''} — ${hintFor(operation, code)}`);
    this.name = 'AuditError';
    this.errno = errno;
    this.code = code;
    this.operation = operation;
  }
}
