// struct audit_rule_data: encoding for AUDIT_ADD_RULE / AUDIT_DEL_RULE, decoding of AUDIT_LIST_RULES replies, and
// the `auditctl -l` spelling of a rule.
import {
  AUDIT_ALWAYS, AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, AUDIT_BIT_MASK,
  AUDIT_BIT_TEST, AUDIT_BITMASK_SIZE, AUDIT_EQUAL, AUDIT_FIELDS, AUDIT_FILTER_ENTRY, AUDIT_FILTER_EXCLUDE,
  AUDIT_FILTER_EXIT, AUDIT_FILTER_FS, AUDIT_FILTER_TASK, AUDIT_FILTER_URING_EXIT, AUDIT_FILTER_USER,
  AUDIT_FILTER_WATCH, AUDIT_GREATER_THAN, AUDIT_GREATER_THAN_OR_EQUAL, AUDIT_LESS_THAN, AUDIT_LESS_THAN_OR_EQUAL,
  AUDIT_MAX_FIELDS, AUDIT_MAX_KEY_LEN, AUDIT_NEVER, AUDIT_NOT_EQUAL, AUDIT_POSSIBLE, AUDIT_STRING_FIELDS,
  type AuditFieldName,
} from './constants.js';
import { recordTypeName, recordTypeNumber } from './record-types.js';
import { auditArchValue, syscallName, syscallNumber, type AuditArchName } from './syscalls.js';

export type AuditRuleList = 'user' | 'task' | 'entry' | 'watch' | 'exit' | 'exclude' | 'filesystem' | 'io_uring';
export type AuditRuleAction = 'never' | 'possible' | 'always';
export type AuditRuleOperator = '=' | '!=' | '<' | '>' | '<=' | '>=' | '&' | '&=';

export interface AuditRuleField {
  /** Field name (`arch`, `uid`, `key`, ...) or a raw field number. */
  field: AuditFieldName | number;
  op: AuditRuleOperator;
  /** u32 for numeric fields (negative numbers are taken as their u32 form), text for string fields (key, exe, path, dir). */
  value: number | string;
}

export interface AuditRule {
  list: AuditRuleList;
  action: AuditRuleAction;
  /** Syscall numbers the rule applies to (sorted), or 'all'. Empty for lists without syscalls (user, exclude). */
  syscalls: number[] | 'all';
  fields: AuditRuleField[];
}

const LISTS: ReadonlyArray<[AuditRuleList, number]> = [
  ['user', AUDIT_FILTER_USER], ['task', AUDIT_FILTER_TASK], ['entry', AUDIT_FILTER_ENTRY], ['watch', AUDIT_FILTER_WATCH],
  ['exit', AUDIT_FILTER_EXIT], ['exclude', AUDIT_FILTER_EXCLUDE], ['filesystem', AUDIT_FILTER_FS],
  ['io_uring', AUDIT_FILTER_URING_EXIT],
];
const ACTIONS: ReadonlyArray<[AuditRuleAction, number]> = [['never', AUDIT_NEVER], ['possible', AUDIT_POSSIBLE], ['always', AUDIT_ALWAYS]];
const OPERATORS: ReadonlyArray<[AuditRuleOperator, number]> = [
  ['=', AUDIT_EQUAL], ['!=', AUDIT_NOT_EQUAL], ['<', AUDIT_LESS_THAN], ['>', AUDIT_GREATER_THAN],
  ['<=', AUDIT_LESS_THAN_OR_EQUAL], ['>=', AUDIT_GREATER_THAN_OR_EQUAL], ['&', AUDIT_BIT_MASK], ['&=', AUDIT_BIT_TEST],
];
const FIELD_NAMES: ReadonlyMap<number, AuditFieldName> = new Map(
  Object.entries(AUDIT_FIELDS).map(([name, n]) => [n, name as AuditFieldName]),
);
/** Fields auditctl prints as -1 when they hold 4294967295 (the "unset" id). */
const ID_FIELDS: ReadonlySet<string> = new Set(['uid', 'euid', 'suid', 'fsuid', 'gid', 'egid', 'sgid', 'fsgid', 'auid', 'obj_uid', 'obj_gid']);

/** Mask bits the kernel reserves for syscall classes (the top of the bitmap). */
const AUDIT_SYSCALL_CLASSES = 16;
const HEADER_WORDS = 3 + AUDIT_BITMASK_SIZE + 3 * AUDIT_MAX_FIELDS + 1;
/** Bytes before the string buffer in struct audit_rule_data. */
export const AUDIT_RULE_DATA_SIZE = HEADER_WORDS * 4;

function fieldNumber(field: AuditFieldName | number): number {
  if (typeof field === 'number') return field;
  const n = (AUDIT_FIELDS as Record<string, number>)[field];
  if (n === undefined) throw new RangeError(`unknown audit rule field "${field}": use one of ${Object.keys(AUDIT_FIELDS).join(', ')}`);
  return n;
}

/** Builds the usual syscall rule: `-a always,exit -F arch=<arch> -S <names> [-F key=<key>]`. Throws naming an unknown syscall. */
export function syscallRule(options: { arch: AuditArchName; syscalls: string[]; key?: string; action?: AuditRuleAction; fields?: AuditRuleField[] }): AuditRule {
  const numbers: number[] = [];
  const unknown: string[] = [];
  for (const name of options.syscalls) {
    const nr = syscallNumber(options.arch, name);
    if (nr === undefined) unknown.push(name);
    else numbers.push(nr);
  }
  if (unknown.length > 0) throw new RangeError(`syscall(s) ${unknown.join(', ')} do not exist on ${options.arch}; remove them from the rule`);
  const fields: AuditRuleField[] = [{ field: 'arch', op: '=', value: auditArchValue(options.arch) }, ...(options.fields ?? [])];
  if (options.key !== undefined) fields.push({ field: 'key', op: '=', value: options.key });
  return { list: 'exit', action: options.action ?? 'always', syscalls: [...new Set(numbers)].sort((a, b) => a - b), fields };
}

/** Bits of the `perm` rule field (AUDIT_PERM_*): which access classes of a syscall on a watched path match. */
const PERM_BITS: ReadonlyArray<[string, number]> = [['r', 4], ['w', 2], ['x', 1], ['a', 8]];

/** `perm` letters (any of r, w, x, a, as auditctl -p takes them) → the field's value. Throws naming a bad letter. */
export function auditPermValue(letters: string): number {
  if (letters.length === 0) throw new RangeError('audit perm needs at least one of the letters r, w, x, a');
  let value = 0;
  for (const letter of letters) {
    const bit = PERM_BITS.find(([l]) => l === letter);
    if (!bit) throw new RangeError(`audit perm "${letters}" has "${letter}": use only r (read), w (write), x (execute), a (attribute change)`);
    value |= bit[1];
  }
  return value;
}

/** A `perm` field value spelled as auditctl prints it (letters in the order r, w, x, a). */
export function auditPermLetters(value: number): string {
  const letters = PERM_BITS.filter(([, bit]) => (value & bit) !== 0).map(([l]) => l).join('');
  return letters.length > 0 && (value & ~15) === 0 ? letters : String(value);
}

/**
 * The rule `auditctl -w <target> -p <perm> -k <key>` adds: exit list, every syscall, no arch, fields
 * `dir=<target>` (a directory: the kernel matches the whole subtree, files created later included) or
 * `path=<target>` (one file, matched by inode through a watch on its parent, so a file created or replaced later
 * matches too), then perm and key. The kernel needs an absolute target without a trailing slash.
 */
export function watchRule(options: { dir?: string; path?: string; perm: string; key?: string }): AuditRule {
  const target = options.dir ?? options.path;
  if ((options.dir === undefined) === (options.path === undefined)) throw new RangeError('a watch rule needs exactly one of dir or path');
  if (!target!.startsWith('/') || (target!.length > 1 && target!.endsWith('/'))) {
    throw new RangeError(`watch target "${target}" must be an absolute path without a trailing slash`);
  }
  const fields: AuditRuleField[] = [
    { field: options.dir !== undefined ? 'dir' : 'path', op: '=', value: target! },
    { field: 'perm', op: '=', value: auditPermValue(options.perm) },
  ];
  if (options.key !== undefined) fields.push({ field: 'key', op: '=', value: options.key });
  return { list: 'exit', action: 'always', syscalls: 'all', fields };
}

/** True for a rule auditctl lists as `-w`: exit/always, every syscall, one dir or path field, then only perm and key. */
function isWatchRule(rule: AuditRule): boolean {
  if (rule.list !== 'exit' || rule.action !== 'always' || rule.syscalls !== 'all') return false;
  const targets = rule.fields.filter((f) => f.field === 'dir' || f.field === 'path');
  return targets.length === 1 && rule.fields.some((f) => f.field === 'perm')
    && rule.fields.every((f) => f.op === '=' && (f.field === 'dir' || f.field === 'path' || f.field === 'perm' || f.field === 'key'));
}

/** Encodes a rule as struct audit_rule_data. Throws a RangeError naming the first invalid part. */
export function encodeRule(rule: AuditRule): Buffer {
  const list = LISTS.find(([name]) => name === rule.list);
  if (!list) throw new RangeError(`unknown audit rule list "${rule.list}": use one of ${LISTS.map(([n]) => n).join(', ')}`);
  const action = ACTIONS.find(([name]) => name === rule.action);
  if (!action) throw new RangeError(`unknown audit rule action "${rule.action}": use never, possible or always`);
  if (rule.fields.length > AUDIT_MAX_FIELDS) throw new RangeError(`an audit rule holds at most ${AUDIT_MAX_FIELDS} fields, got ${rule.fields.length}`);
  const strings: Buffer[] = [];
  const header = Buffer.alloc(AUDIT_RULE_DATA_SIZE);
  header.writeUInt32LE(list[1], 0);
  header.writeUInt32LE(action[1], 4);
  header.writeUInt32LE(rule.fields.length, 8);
  const maskBase = 12;
  if (rule.syscalls === 'all') {
    for (let i = 0; i < AUDIT_BITMASK_SIZE; i++) header.writeUInt32LE(0xffffffff, maskBase + i * 4);
  } else {
    for (const nr of rule.syscalls) {
      if (!Number.isInteger(nr) || nr < 0 || nr >= AUDIT_BITMASK_SIZE * 32) throw new RangeError(`syscall number ${nr} is outside 0..${AUDIT_BITMASK_SIZE * 32 - 1}`);
      const at = maskBase + (nr >> 5) * 4;
      header.writeUInt32LE((header.readUInt32LE(at) | (1 << (nr & 31))) >>> 0, at);
    }
  }
  const fieldsBase = maskBase + AUDIT_BITMASK_SIZE * 4;
  const valuesBase = fieldsBase + AUDIT_MAX_FIELDS * 4;
  const flagsBase = valuesBase + AUDIT_MAX_FIELDS * 4;
  rule.fields.forEach((f, i) => {
    const number = fieldNumber(f.field);
    const op = OPERATORS.find(([name]) => name === f.op);
    if (!op) throw new RangeError(`unknown operator "${f.op}" on field ${String(f.field)}: use =, !=, <, >, <=, >=, & or &=`);
    let value: number;
    if (AUDIT_STRING_FIELDS.has(number)) {
      const text = typeof f.value === 'string' ? f.value : String(f.value);
      const bytes = Buffer.from(text, 'utf8');
      if (bytes.length === 0 || bytes.length > AUDIT_MAX_KEY_LEN * 16) throw new RangeError(`field ${String(f.field)} needs a non-empty string value`);
      if (number === AUDIT_FIELDS.key && bytes.length > AUDIT_MAX_KEY_LEN) throw new RangeError(`audit key "${text}" is longer than ${AUDIT_MAX_KEY_LEN} bytes`);
      strings.push(bytes);
      value = bytes.length;
    } else {
      const raw = typeof f.value === 'string' ? Number(f.value) : f.value;
      if (!Number.isInteger(raw) || raw < -0x80000000 || raw > 0xffffffff) {
        throw new RangeError(`field ${String(f.field)} needs an integer value from -2147483648 to 4294967295, got ${String(f.value)}`);
      }
      value = raw >>> 0;
    }
    header.writeUInt32LE(number, fieldsBase + i * 4);
    header.writeUInt32LE(value, valuesBase + i * 4);
    header.writeUInt32LE(op[1] >>> 0, flagsBase + i * 4);
  });
  const buf = Buffer.concat(strings);
  header.writeUInt32LE(buf.length, flagsBase + AUDIT_MAX_FIELDS * 4);
  return Buffer.concat([header, buf]);
}

export type RuleDecodeResult = { ok: true; rule: AuditRule } | { ok: false; error: string };

/** Decodes an AUDIT_LIST_RULES reply payload. Never throws. */
export function decodeRule(payload: Uint8Array): RuleDecodeResult {
  if (payload.length < AUDIT_RULE_DATA_SIZE) {
    return { ok: false, error: `audit rule payload has ${payload.length} bytes, fewer than the ${AUDIT_RULE_DATA_SIZE}-byte struct audit_rule_data` };
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const u32 = (at: number): number => view.getUint32(at, true);
  const list = LISTS.find(([, n]) => n === u32(0));
  const action = ACTIONS.find(([, n]) => n === u32(4));
  if (!list) return { ok: false, error: `audit rule has unknown list number ${u32(0)}` };
  if (!action) return { ok: false, error: `audit rule has unknown action number ${u32(4)}` };
  const count = u32(8);
  if (count > AUDIT_MAX_FIELDS) return { ok: false, error: `audit rule claims ${count} fields, more than ${AUDIT_MAX_FIELDS}` };
  const maskBase = 12;
  // The kernel keeps the top AUDIT_SYSCALL_CLASSES (16) bits of the mask for syscall classes and clears them, so a
  // rule added with every bit set (-S all) reads back with bits 0..2031 set.
  const syscalls: number[] = [];
  for (let w = 0; w < AUDIT_BITMASK_SIZE; w++) {
    const word = u32(maskBase + w * 4);
    for (let b = 0; b < 32; b++) if (word & (1 << b)) syscalls.push(w * 32 + b);
  }
  const allSet = syscalls.length >= AUDIT_BITMASK_SIZE * 32 - AUDIT_SYSCALL_CLASSES;
  const fieldsBase = maskBase + AUDIT_BITMASK_SIZE * 4;
  const valuesBase = fieldsBase + AUDIT_MAX_FIELDS * 4;
  const flagsBase = valuesBase + AUDIT_MAX_FIELDS * 4;
  const buflen = u32(flagsBase + AUDIT_MAX_FIELDS * 4);
  if (AUDIT_RULE_DATA_SIZE + buflen > payload.length) {
    return { ok: false, error: `audit rule string buffer of ${buflen} bytes runs past the ${payload.length}-byte payload` };
  }
  const fields: AuditRuleField[] = [];
  let stringOffset = AUDIT_RULE_DATA_SIZE;
  for (let i = 0; i < count; i++) {
    const number = u32(fieldsBase + i * 4);
    const value = u32(valuesBase + i * 4);
    const flag = u32(flagsBase + i * 4);
    const op = OPERATORS.find(([, n]) => n === flag);
    if (!op) return { ok: false, error: `audit rule field ${i} has unknown operator 0x${flag.toString(16)}` };
    const field: AuditFieldName | number = FIELD_NAMES.get(number) ?? number;
    if (AUDIT_STRING_FIELDS.has(number)) {
      if (stringOffset + value > AUDIT_RULE_DATA_SIZE + buflen) {
        return { ok: false, error: `audit rule field ${i} string of ${value} bytes runs past the string buffer` };
      }
      const text = Buffer.from(payload.buffer, payload.byteOffset + stringOffset, value).toString('utf8');
      stringOffset += value;
      fields.push({ field, op: op[0], value: text });
    } else {
      fields.push({ field, op: op[0], value });
    }
  }
  return { ok: true, rule: { list: list[0], action: action[0], syscalls: allSet ? 'all' : syscalls, fields } };
}

function archOfValue(value: number): AuditArchName | undefined {
  if (value === AUDIT_ARCH_X86_64) return 'x86_64';
  if (value === AUDIT_ARCH_AARCH64) return 'aarch64';
  return undefined;
}

function formatFieldValue(name: string, value: number | string): string {
  if (typeof value === 'string') return value;
  if (name === 'arch') {
    if (value === AUDIT_ARCH_X86_64 || value === AUDIT_ARCH_AARCH64) return 'b64';
    if (value === AUDIT_ARCH_I386 || value === AUDIT_ARCH_ARM) return 'b32';
    return `0x${value.toString(16)}`;
  }
  if (name === 'perm') return auditPermLetters(value);
  if (name === 'msgtype') return recordTypeName(value).startsWith('UNKNOWN') ? String(value) : recordTypeName(value);
  if (ID_FIELDS.has(name) && value === 0xffffffff) return '-1';
  if (name === 'exit' || name === 'a0' || name === 'a1' || name === 'a2' || name === 'a3') return String(value | 0);
  return String(value);
}

/**
 * Spells a rule as `auditctl -l` prints it, e.g. `-a always,exit -F arch=b64 -S execve,execveat -F key=quarry`, or
 * `-w /etc -p wa -k quarry-fim` for a watch rule.
 * Syscalls are named with the table of the rule's arch field (or `hostArch` when the rule has none).
 */
export function formatRule(rule: AuditRule, hostArch: AuditArchName = 'x86_64'): string {
  if (isWatchRule(rule)) {
    const target = rule.fields.find((f) => f.field === 'dir' || f.field === 'path')!;
    const perm = rule.fields.find((f) => f.field === 'perm')!;
    const key = rule.fields.find((f) => f.field === 'key');
    return `-w ${String(target.value)} -p ${auditPermLetters(Number(perm.value))}${key ? ` -k ${String(key.value)}` : ''}`;
  }
  const parts = [`-a ${rule.action},${rule.list}`];
  const archField = rule.fields.find((f) => f.field === 'arch' && f.op === '=' && typeof f.value === 'number');
  const arch = (archField ? archOfValue(archField.value as number) : undefined) ?? hostArch;
  const syscallText = (): string | undefined => {
    if (rule.syscalls === 'all') return rule.list === 'exit' || rule.list === 'entry' ? '-S all' : undefined;
    if (rule.syscalls.length === 0) return undefined;
    return `-S ${rule.syscalls.map((nr) => syscallName(arch, nr) ?? String(nr)).join(',')}`;
  };
  let syscallsShown = false;
  if (!archField) {
    const text = syscallText();
    if (text) parts.push(text);
    syscallsShown = true;
  }
  for (const f of rule.fields) {
    const name = typeof f.field === 'number' ? String(f.field) : f.field;
    parts.push(`-F ${name}${f.op}${formatFieldValue(name, f.value)}`);
    if (f === archField && !syscallsShown) {
      const text = syscallText();
      if (text) parts.push(text);
      syscallsShown = true;
    }
  }
  return parts.join(' ');
}

/** True when two rules would be the same kernel rule (same list, action, syscalls and fields in order). */
export function sameRule(a: AuditRule, b: AuditRule): boolean {
  return encodeRule(a).equals(encodeRule(b));
}

/** Parses a msgtype name for rule fields ("CWD" → 1307). */
export function msgtypeValue(name: string): number {
  const n = recordTypeNumber(name);
  if (n === undefined) throw new RangeError(`unknown audit record type "${name}" for a msgtype field`);
  return n;
}
