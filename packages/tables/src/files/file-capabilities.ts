/**
 * The `security.capability` extended attribute (the kernel's struct vfs_cap_data, revisions 1-3, little endian) as
 * libcap's cap_to_text writes it (`cap_net_raw=ep`), which is what osquery shows through cap_get_file + cap_to_text
 * and what `getcap` prints. Decoded here rather than through libcap so the table needs no extra library.
 *
 * Layout: le32 magic_etc (revision in the top byte, bit 0 = effective), then per 32-bit word le32 permitted and
 * le32 inheritable (one word for revision 1, two for 2 and 3), then for revision 3 le32 rootid. With the effective
 * bit set, every permitted or inheritable capability is also effective (libcap's reading).
 */
import { readText } from '../system/host-files.js';

const VFS_CAP_REVISION_MASK = 0xff000000;
const VFS_CAP_FLAGS_EFFECTIVE = 0x000001;
const REVISIONS: Record<number, { words: number; size: number }> = {
  0x01000000: { words: 1, size: 12 },
  0x02000000: { words: 2, size: 20 },
  0x03000000: { words: 2, size: 24 },
};
/** libcap's __CAP_MAXBITS: the bits a cap_t holds (two 32-bit words). */
const CAP_MAXBITS = 64;

/** libcap's names, by capability number (linux/capability.h); numbers beyond print in decimal. */
export const CAPABILITY_NAMES = [
  'cap_chown', 'cap_dac_override', 'cap_dac_read_search', 'cap_fowner', 'cap_fsetid', 'cap_kill', 'cap_setgid',
  'cap_setuid', 'cap_setpcap', 'cap_linux_immutable', 'cap_net_bind_service', 'cap_net_broadcast', 'cap_net_admin',
  'cap_net_raw', 'cap_ipc_lock', 'cap_ipc_owner', 'cap_sys_module', 'cap_sys_rawio', 'cap_sys_chroot',
  'cap_sys_ptrace', 'cap_sys_pacct', 'cap_sys_admin', 'cap_sys_boot', 'cap_sys_nice', 'cap_sys_resource',
  'cap_sys_time', 'cap_sys_tty_config', 'cap_mknod', 'cap_lease', 'cap_audit_write', 'cap_audit_control',
  'cap_setfcap', 'cap_mac_override', 'cap_mac_admin', 'cap_syslog', 'cap_wake_alarm', 'cap_block_suspend',
  'cap_audit_read', 'cap_perfmon', 'cap_bpf', 'cap_checkpoint_restore',
];

/** State flags of one capability, as libcap numbers them (1 << CAP_EFFECTIVE/PERMITTED/INHERITABLE). */
const EFFECTIVE = 1;
const PERMITTED = 2;
const INHERITABLE = 4;

export interface FileCapabilities {
  readonly effective: bigint;
  readonly permitted: bigint;
  readonly inheritable: bigint;
  /** Revision 3's namespace root uid; 0 otherwise. */
  readonly rootid: number;
}

/** Parses a vfs_cap_data value; undefined when its revision or size is not one the kernel writes. */
export function parseFileCapabilities(value: Uint8Array): FileCapabilities | undefined {
  if (value.length < 4) return undefined;
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const magic = view.getUint32(0, true);
  const revision = REVISIONS[(magic & VFS_CAP_REVISION_MASK) >>> 0];
  if (!revision || value.length !== revision.size) return undefined;
  let permitted = 0n;
  let inheritable = 0n;
  for (let word = 0; word < revision.words; word++) {
    permitted |= BigInt(view.getUint32(4 + word * 8, true)) << BigInt(32 * word);
    inheritable |= BigInt(view.getUint32(8 + word * 8, true)) << BigInt(32 * word);
  }
  const effective = magic & VFS_CAP_FLAGS_EFFECTIVE ? permitted | inheritable : 0n;
  const rootid = revision.size === 24 ? view.getUint32(20, true) : 0;
  return { effective, permitted, inheritable, rootid };
}

/** The number of capabilities the running kernel knows (libcap's cap_max_bits), from cap_last_cap. */
export function kernelCapabilityCount(): number {
  const last = Number(readText('/proc/sys/kernel/cap_last_cap')?.trim());
  return Number.isInteger(last) && last >= 0 && last < CAP_MAXBITS ? last + 1 : CAPABILITY_NAMES.length;
}

function capabilityName(number: number): string {
  return CAPABILITY_NAMES[number] ?? String(number);
}

function flagLetters(state: number): string {
  return `${state & EFFECTIVE ? 'e' : ''}${state & INHERITABLE ? 'i' : ''}${state & PERMITTED ? 'p' : ''}`;
}

function stateOf(caps: FileCapabilities, number: number): number {
  const bit = 1n << BigInt(number);
  return (caps.effective & bit ? EFFECTIVE : 0) | (caps.permitted & bit ? PERMITTED : 0) | (caps.inheritable & bit ? INHERITABLE : 0);
}

/**
 * libcap's text form: the most common state among the kernel's capabilities becomes the `=flags` base (ties go to
 * the lowest state, so mostly the empty one), then each other state lists its capabilities with the flags to add
 * (`+`) and drop (`-`); an empty base is folded into the first clause (`cap_a,cap_b=ep`). Capabilities the kernel does
 * not know are appended as `+flags` clauses.
 */
export function capabilitiesToText(caps: FileCapabilities, kernelCount: number = kernelCapabilityCount()): string {
  const histogram = new Array<number>(8).fill(0);
  for (let number = 0; number < kernelCount; number++) histogram[stateOf(caps, number)]!++;
  let base = 7;
  for (let state = 6; state >= 0; state--) if (histogram[state]! >= histogram[base]!) base = state;

  let head = `=${flagLetters(base)}`;
  const clauses: string[] = [];
  let foldBase = head === '=';
  for (let state = 7; state >= 0; state--) {
    if (state === base || histogram[state] === 0) continue;
    const names: string[] = [];
    for (let number = 0; number < kernelCount; number++) if (stateOf(caps, number) === state) names.push(capabilityName(number));
    let clause = names.join(',');
    const added = state & ~base;
    if (added) {
      if (foldBase) {
        head = '';
        foldBase = false;
        clause += `=${flagLetters(added)}`;
      } else clause += `+${flagLetters(added)}`;
    }
    const dropped = ~state & base;
    if (dropped) clause += `-${flagLetters(dropped)}`;
    clauses.push(clause);
  }

  const extraHistogram = new Array<number>(8).fill(0);
  for (let number = kernelCount; number < CAP_MAXBITS; number++) extraHistogram[stateOf(caps, number)]!++;
  for (let state = 7; state >= 1; state--) {
    if (extraHistogram[state] === 0) continue;
    const names: string[] = [];
    for (let number = kernelCount; number < CAP_MAXBITS; number++) if (stateOf(caps, number) === state) names.push(capabilityName(number));
    clauses.push(`${names.join(',')}+${flagLetters(state)}`);
  }
  return [head, ...clauses].filter((part) => part.length > 0).join(' ');
}
