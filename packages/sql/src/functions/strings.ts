/** osquery's string functions: split, regex_split, regex_match, concat, concat_ws. */
import type { FunctionCall, SqlFunction } from './registry.js';

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'g');
  } catch {
    throw new Error('Invalid regex');
  }
}

function indexArgument(call: FunctionCall, position: number): number | null {
  const index = call.number(position);
  if (index === null || !Number.isFinite(index)) return null;
  return Math.trunc(index);
}

/**
 * The (str, regex, index) arguments of regex_split and regex_match, or undefined when one is NULL. The pattern is
 * refused past --regex_max_size with the function's own message, as osquery words it.
 */
function regexArguments(call: FunctionCall, tooBig: string): { text: string; regex: RegExp; index: number | null } | undefined {
  if (call.isNull(0) || call.isNull(1) || call.isNull(2)) return undefined;
  const pattern = call.text(1)!;
  if (byteLength(pattern) > call.host.regexMaxSize) throw new Error(tooBig);
  return { text: call.text(0)!, regex: call.host.regex(pattern, compile), index: indexArgument(call, 2) };
}

/** split(str, tokens, index): splits on any single character of tokens; pieces trimmed, empty ones dropped. */
const split: SqlFunction = {
  name: 'split',
  arity: 3,
  deterministic: true,
  run(call) {
    if (call.isNull(0) || call.isNull(1) || call.isNull(2)) return call.null();
    const text = call.text(0)!;
    const tokens = call.text(1)!;
    if (tokens.length === 0) throw new Error('Invalid input to split function');
    const index = indexArgument(call, 2);
    const delimiters = new Set(tokens);
    const pieces: string[] = [];
    let current = '';
    for (const char of text) {
      if (delimiters.has(char)) {
        pieces.push(current);
        current = '';
      } else current += char;
    }
    pieces.push(current);
    const kept = pieces.map((piece) => piece.trim()).filter((piece) => piece.length > 0);
    if (index === null || index < 0 || index >= kept.length) return call.null();
    call.textResult(kept[index]!);
  },
};

/** regex_split(str, regex, index): the parts between matches; leading/inner empty parts kept, a trailing one dropped. */
const regexSplit: SqlFunction = {
  name: 'regex_split',
  arity: 3,
  deterministic: true,
  run(call) {
    const args = regexArguments(call, 'Invalid regex');
    if (!args) return call.null();
    const { text, regex, index } = args;
    const parts: string[] = [];
    let last = 0;
    let matched = false;
    for (let match = regex.exec(text); match; match = regex.exec(text)) {
      if (match[0].length === 0) {
        regex.lastIndex++;
        if (regex.lastIndex > text.length) break;
        continue;
      }
      matched = true;
      parts.push(text.slice(last, match.index));
      last = match.index + match[0].length;
    }
    const rest = text.slice(last);
    if (!matched || rest.length > 0) parts.push(rest);
    if (index === null || index < 0 || index >= parts.length) return call.null();
    call.textResult(parts[index]!);
  },
};

/** regex_match(str, regex, index): group `index` of the first match anywhere in str (0 = whole match). */
const regexMatch: SqlFunction = {
  name: 'regex_match',
  arity: 3,
  deterministic: true,
  run(call) {
    const args = regexArguments(call, `Invalid regex: too big, max size is ${call.host.regexMaxSize} bytes`);
    if (!args) return call.null();
    const { text, regex, index } = args;
    const match = regex.exec(text);
    if (!match || index === null || index < 0 || index >= match.length) return call.null();
    const group = match[index];
    if (group === undefined) return call.null();
    call.textResult(group);
  },
};

/** concat(a, ...): concatenation that skips NULLs. */
const concat: SqlFunction = {
  name: 'concat',
  arity: -1,
  deterministic: true,
  run(call) {
    let out = '';
    for (let i = 0; i < call.argc; i++) {
      const text = call.text(i);
      if (text !== null) out += text;
    }
    call.textResult(out);
  },
};

/** concat_ws(sep, a, ...): NULLs skipped; the separator follows each non-NULL value unless it is the last argument. */
const concatWs: SqlFunction = {
  name: 'concat_ws',
  arity: -1,
  deterministic: true,
  run(call) {
    if (call.argc < 1) throw new Error('Missing separator to concat_ws');
    const separator = call.text(0) ?? '';
    let out = '';
    for (let i = 1; i < call.argc; i++) {
      const text = call.text(i);
      if (text === null) continue;
      out += text;
      if (i !== call.argc - 1) out += separator;
    }
    call.textResult(out);
  },
};

export const stringFunctions: readonly SqlFunction[] = [split, regexSplit, regexMatch, concat, concatWs];
