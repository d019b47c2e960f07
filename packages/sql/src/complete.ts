/**
 * A pure-JavaScript equivalent of sqlite3_complete(): true when the text ends with a semicolon that closes a
 * statement (not inside a string, identifier quote, comment or CREATE TRIGGER body). The shell uses it to decide
 * whether to keep reading lines without needing a loaded engine. Tested against SQLite's own sqlite3_complete.
 */

const enum Token {
  Semi,
  Space,
  Other,
  Explain,
  Create,
  Temp,
  Trigger,
  End,
}

// States: 0 invalid, 1 start (after a complete statement), 2 normal, 3 explain, 4 create, 5 trigger body,
// 6 semicolon inside a trigger body, 7 END inside a trigger body.
const TRANSITIONS: readonly (readonly number[])[] = [
  /* 0 */ [1, 0, 2, 3, 4, 2, 2, 2],
  /* 1 */ [1, 1, 2, 3, 4, 2, 2, 2],
  /* 2 */ [1, 2, 2, 2, 2, 2, 2, 2],
  /* 3 */ [1, 3, 3, 2, 4, 2, 2, 2],
  /* 4 */ [1, 4, 2, 2, 2, 4, 5, 2],
  /* 5 */ [6, 5, 5, 5, 5, 5, 5, 5],
  /* 6 */ [6, 6, 5, 5, 5, 5, 5, 7],
  /* 7 */ [1, 7, 5, 5, 5, 5, 5, 5],
];

const KEYWORDS: ReadonlyMap<string, Token> = new Map([
  ['explain', Token.Explain],
  ['create', Token.Create],
  ['temp', Token.Temp],
  ['temporary', Token.Temp],
  ['trigger', Token.Trigger],
  ['end', Token.End],
]);

function isIdentifierChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x24 || code >= 0x80
  );
}

/** Where a completion scan stopped: resume with scanCompletion(longerText, resume, state) after appending text. */
export interface CompletionScan {
  /** The automaton's state before the token at `resume`. */
  readonly state: number;
  /** Offset of the first token that appended text could still change (an unterminated one, or one at the very end). */
  readonly resume: number;
  /** sqlite3_complete() of the scanned text. */
  readonly complete: boolean;
}

/**
 * sqlite3_complete() as a resumable scan: scanCompletion(text) for the whole text, or scanCompletion(text + more,
 * scan.resume, scan.state) to continue after appending (the shell feeds one line at a time, so a long statement is
 * scanned once, not once per line).
 */
export function scanCompletion(sql: string, from = 0, startState = 0): CompletionScan {
  let state = startState;
  let i = from;
  const length = sql.length;
  while (i < length) {
    const start = i;
    const char = sql[i]!;
    let token: Token;
    if (char === ';') {
      token = Token.Semi;
      i++;
    } else if (char === ' ' || char === '\t' || char === '\n' || char === '\f' || char === '\r') {
      token = Token.Space;
      i++;
    } else if (char === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) return { state, resume: start, complete: false };
      token = Token.Space;
      i = close + 2;
    } else if (char === '-' && sql[i + 1] === '-') {
      // A comment still open at the end of the text: incomplete, as sqlite3_complete() says.
      const newline = sql.indexOf('\n', i + 2);
      if (newline < 0) return { state, resume: start, complete: false };
      token = Token.Space;
      i = newline + 1;
    } else if (char === '[') {
      const close = sql.indexOf(']', i + 1);
      if (close < 0) return { state, resume: start, complete: false };
      token = Token.Other;
      i = close + 1;
    } else if (char === '"' || char === "'" || char === '`') {
      // A doubled quote inside is just two adjacent quoted runs, which tokenizes the same way.
      const close = sql.indexOf(char, i + 1);
      if (close < 0) return { state, resume: start, complete: false };
      token = Token.Other;
      i = close + 1;
    } else if (isIdentifierChar(char.charCodeAt(0))) {
      let end = i + 1;
      while (end < length && isIdentifierChar(sql.charCodeAt(end))) end++;
      const word = sql.slice(i, end).toLowerCase();
      token = KEYWORDS.get(word) ?? Token.Other;
      i = end;
    } else {
      token = Token.Other;
      i++;
    }
    // A word, `-` or `/` at the very end may still grow; no such token leads to state 1, so the text is incomplete.
    if (i === length && token !== Token.Semi && token !== Token.Space) return { state, resume: start, complete: false };
    state = TRANSITIONS[state]![token]!;
  }
  return { state, resume: length, complete: state === 1 };
}

export function isCompleteSql(sql: string): boolean {
  return scanCompletion(sql).complete;
}
