/**
 * The AUDIT_ARCH_* values of linux/audit.h (the ELF machine number, plus 0x80000000 for 64-bit and 0x40000000 for
 * little-endian) and their names without the prefix, as seccomp_events shows them; any other value is "<n>(unknown)".
 */
const AUDIT_ARCH_64BIT = 0x80000000;
const AUDIT_ARCH_LE = 0x40000000;
const MIPS64_N32 = 0x20000000;

function arch(machine: number, ...flags: number[]): number {
  return flags.reduce((value, flag) => (value | flag) >>> 0, machine);
}

const ARCH_NAMES = new Map<number, string>([
  [arch(183, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE), 'AARCH64'],
  [arch(0x9026, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE), 'ALPHA'],
  [arch(93, AUDIT_ARCH_LE), 'ARCOMPACT'],
  [arch(93), 'ARCOMPACTBE'],
  [arch(195, AUDIT_ARCH_LE), 'ARCV2'],
  [arch(195), 'ARCV2BE'],
  [arch(40, AUDIT_ARCH_LE), 'ARM'],
  [arch(40), 'ARMEB'],
  [arch(140, AUDIT_ARCH_LE), 'C6X'],
  [arch(140), 'C6XBE'],
  [arch(76, AUDIT_ARCH_LE), 'CRIS'],
  [arch(252, AUDIT_ARCH_LE), 'CSKY'],
  [arch(0x5441), 'FRV'],
  [arch(46), 'H8300'],
  [arch(164), 'HEXAGON'],
  [arch(3, AUDIT_ARCH_LE), 'I386'],
  [arch(50, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE), 'IA64'],
  [arch(258, AUDIT_ARCH_LE), 'LOONGARCH32'],
  [arch(258, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE), 'LOONGARCH64'],
  [arch(88), 'M32R'],
  [arch(4), 'M68K'],
  [arch(189), 'MICROBLAZE'],
  [arch(8), 'MIPS'],
  [arch(8, AUDIT_ARCH_LE), 'MIPSEL'],
  [arch(8, AUDIT_ARCH_64BIT), 'MIPS64'],
  [arch(8, AUDIT_ARCH_64BIT, MIPS64_N32), 'MIPS64N32'],
  [arch(8, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE), 'MIPSEL64'],
  [arch(8, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE, MIPS64_N32), 'MIPSEL64N32'],
  [arch(167, AUDIT_ARCH_LE), 'NDS32'],
  [arch(167), 'NDS32BE'],
  [arch(113, AUDIT_ARCH_LE), 'NIOS2'],
  [arch(92), 'OPENRISC'],
  [arch(15), 'PARISC'],
  [arch(15, AUDIT_ARCH_64BIT), 'PARISC64'],
  [arch(20), 'PPC'],
  [arch(21, AUDIT_ARCH_64BIT), 'PPC64'],
  [arch(21, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE), 'PPC64LE'],
  [arch(243, AUDIT_ARCH_LE), 'RISCV32'],
  [arch(243, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE), 'RISCV64'],
  [arch(22), 'S390'],
  [arch(22, AUDIT_ARCH_64BIT), 'S390X'],
  [arch(42), 'SH'],
  [arch(42, AUDIT_ARCH_LE), 'SHEL'],
  [arch(42, AUDIT_ARCH_64BIT), 'SH64'],
  [arch(42, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE), 'SHEL64'],
  [arch(2), 'SPARC'],
  [arch(43, AUDIT_ARCH_64BIT), 'SPARC64'],
  [arch(191, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE), 'TILEGX'],
  [arch(191, AUDIT_ARCH_LE), 'TILEGX32'],
  [arch(188, AUDIT_ARCH_LE), 'TILEPRO'],
  [arch(110, AUDIT_ARCH_LE), 'UNICORE'],
  [arch(62, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE), 'X86_64'],
  [arch(94), 'XTENSA'],
]);

/** The AUDIT_ARCH value of x86_64 (0xc000003e). */
export const AUDIT_ARCH_X86_64 = arch(62, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE);

/** The architecture's name (X86_64, AARCH64, I386, ARM, PPC64LE, S390X, ...), else "<n>(unknown)" with n in decimal. */
export function auditArchLabel(value: number): string {
  return ARCH_NAMES.get(value) ?? `${value}(unknown)`;
}
