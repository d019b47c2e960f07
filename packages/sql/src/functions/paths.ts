/**
 * find_file_path_in_cmd() and is_path_deterministic(): which leading part of a command line names an existing file.
 *
 * A command line such as `/opt/My App/bin/run --flag` is ambiguous once paths may contain spaces. Both functions
 * read the command as osquery does, byte by byte:
 * - leading whitespace is skipped;
 * - the escape character (default `\`) makes the next byte literal (an escaped space never ends a candidate) and
 *   is itself dropped;
 * - with allow_quoting, `"` toggles a quoted span (spaces inside do not end a candidate) and is dropped;
 * - at every other whitespace byte, the text read so far is a candidate: it counts when stat() (following
 *   symlinks) finds something that is not a directory; the whitespace itself is then kept and reading continues;
 * - the whole text read is the last candidate.
 * The shortest reading is the first candidate that counts; the longest is the last one. Nothing found → ''.
 * Both touch the real filesystem; relative candidates resolve against the working directory.
 */
import { statSync } from 'node:fs';
import type { FunctionCall, SqlFunction } from './registry.js';

const DEFAULT_ESCAPE = process.platform === 'win32' ? 0x5e /* ^ */ : 0x5c; /* \ */
const QUOTE = 0x22;
const EMPTY = new Uint8Array(0);

/** C's isspace() in the C locale: space, \t, \n, \v, \f, \r. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** The bytes before the first NUL (what C code sees of a SQLite text value). */
function cString(bytes: Uint8Array): Uint8Array {
  const end = bytes.indexOf(0);
  return end < 0 ? bytes : bytes.subarray(0, end);
}

/** Whether `path` names something that exists and is not a directory (stat follows symlinks; any error → false). */
function isExistingNonDirectory(path: Uint8Array): boolean {
  if (path.length === 0) return false;
  try {
    const status = statSync(Buffer.from(path), { throwIfNoEntry: false });
    return status !== undefined && !status.isDirectory();
  } catch {
    return false;
  }
}

export interface CommandReading {
  /** The escape byte (osquery: `\` on POSIX, `^` on Windows). */
  readonly escape: number;
  /** Whether `"` quotes spans. */
  readonly allowQuoting: boolean;
}

/**
 * The shortest (`shortest` true) or longest prefix of `command` (bytes, read as described above) that names an
 * existing non-directory; an empty array when none does.
 */
export function findExistingFileInCommand(command: Uint8Array, reading: CommandReading, shortest: boolean): Uint8Array {
  let position = 0;
  while (position < command.length && isSpace(command[position]!)) position++;
  const read: number[] = [];
  let found: Uint8Array = EMPTY;
  let quoted = false;
  let escaped = false;
  for (; position < command.length; position++) {
    const byte = command[position]!;
    if (escaped) {
      read.push(byte);
      escaped = false;
      continue;
    }
    if (reading.allowQuoting && byte === QUOTE) {
      quoted = !quoted;
      continue;
    }
    if (byte === reading.escape) {
      escaped = true;
      continue;
    }
    if (!quoted && isSpace(byte)) {
      const candidate = Uint8Array.from(read);
      if (isExistingNonDirectory(candidate)) {
        found = candidate;
        if (shortest) return found;
      }
    }
    read.push(byte);
  }
  const whole = Uint8Array.from(read);
  return isExistingNonDirectory(whole) ? whole : found;
}

interface CommandArguments {
  /** The command's bytes up to the first NUL. */
  readonly command: Uint8Array;
  readonly reading: CommandReading;
}

/**
 * Reads (cmd[, allow_quoting[, escape_char]]) as osquery does; undefined when the call is invalid: no arguments,
 * any NULL argument, or an escape_char that is not exactly one byte.
 */
function commandArguments(call: FunctionCall): CommandArguments | undefined {
  if (call.argc === 0) return undefined;
  for (let index = 0; index < call.argc; index++) if (call.isNull(index)) return undefined;
  const command = cString(call.bytes(0)!);
  // osquery reads the flag with sqlite3_value_int: 'yes' → 0, '1' → 1, 0.9 → 0.
  const allowQuoting = call.argc > 1 && call.int32(1) !== 0;
  let escape = DEFAULT_ESCAPE;
  if (call.argc > 2) {
    const escapeText = cString(call.bytes(2)!);
    if (escapeText.length !== 1) return undefined;
    escape = escapeText[0]!;
  }
  return { command, reading: { escape, allowQuoting } };
}

/**
 * find_file_path_in_cmd(cmd[, allow_quoting[, escape_char]]): the shortest leading part of cmd that is an existing
 * non-directory file, '' when there is none. Invalid calls fail with osquery's (historical) message, which names
 * the function's old name.
 */
const findFilePathInCmd: SqlFunction = {
  name: 'find_file_path_in_cmd',
  arity: -1,
  deterministic: true,
  run(call) {
    const args = commandArguments(call);
    if (!args) throw new Error('Invalid inputs to find_binary_path_from_cmd');
    call.textBytes(findExistingFileInCommand(args.command, args.reading, true));
  },
};

/**
 * is_path_deterministic(cmd[, allow_quoting[, escape_char]]): 1 when the shortest and the longest readings agree
 * (including when no reading exists, or the whole command is the only one), 0 when they differ.
 */
const isPathDeterministic: SqlFunction = {
  name: 'is_path_deterministic',
  arity: -1,
  deterministic: true,
  run(call) {
    const args = commandArguments(call);
    if (!args) throw new Error('Invalid inputs to is_path_deterministic');
    const shortest = findExistingFileInCommand(args.command, args.reading, true);
    // No file at all, or the command read whole without a single dropped byte: only one reading is possible.
    if (shortest.length === 0 || shortest.length === args.command.length) return call.integer(1);
    const longest = findExistingFileInCommand(args.command, args.reading, false);
    call.integer(shortest.length === longest.length ? 1 : 0);
  },
};

export const pathFunctions: readonly SqlFunction[] = [findFilePathInCmd, isPathDeterministic];
