/**
 * Statement boundaries in typed SQL: a `;` ends a statement unless it sits in a string, a quoted identifier, a
 * comment, or the body of a CREATE TRIGGER (which ends at `END;`). The shell runs statements one at a time (each
 * backend takes one; errors name the statement's line). Whether typed text is complete is @quarry/sql's
 * sqlite3_complete() equivalent (scanCompletion), not this splitter.
 */

export interface StatementText {
  /** The statement, from its first significant character through its `;` (or the end of the text). */
  readonly sql: string;
  /** 1-based line of the statement's first significant character within the scanned text. */
  readonly line: number;
  /** False for trailing text that never reached a terminating `;`. */
  readonly complete: boolean;
}

type Token = { kind: 'semi' | 'word' | 'other' | 'space'; start: number; end: number; text?: string };

/** Tokens relevant to completion; strings, identifiers and comments are single opaque tokens. */
function* tokens(sql: string): Generator<Token> {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const start = i;
    if (c === ';') {
      i++;
      yield { kind: 'semi', start, end: i };
    } else if (/\s/.test(c)) {
      while (i < sql.length && /\s/.test(sql[i] as string)) i++;
      yield { kind: 'space', start, end: i };
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      yield { kind: 'space', start, end: i };
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
      yield { kind: 'space', start, end: i, text: close < 0 ? 'open' : '' };
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const closer = c === '[' ? ']' : c;
      i++;
      let closed = false;
      while (i < sql.length) {
        if (sql[i] === closer) {
          if (closer !== ']' && sql[i + 1] === closer) {
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        i++;
      }
      yield { kind: 'other', start, end: i, text: closed ? '' : 'open' };
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      while (i < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i] as string)) i++;
      yield { kind: 'word', start, end: i, text: sql.slice(start, i).toUpperCase() };
    } else {
      i++;
      yield { kind: 'other', start, end: i };
    }
  }
}

/**
 * Splits text into statements. Whitespace- and comment-only pieces are dropped; a trailing piece without `;`
 * is returned with complete=false.
 */
export function splitStatements(text: string): StatementText[] {
  const out: StatementText[] = [];
  let first = -1; // index of the statement's first significant character
  let words: string[] = []; // leading words, to recognise CREATE [TEMP] TRIGGER
  let inTrigger = false;
  let lastWord = '';
  // Line numbers counted incrementally: each character is looked at once, however many statements there are.
  let counted = 0;
  let countedLine = 1;
  const lineAt = (index: number): number => {
    for (; counted < index; counted++) if (text.charCodeAt(counted) === 10) countedLine++;
    return countedLine;
  };
  for (const token of tokens(text)) {
    if (token.kind === 'space') continue;
    if (first < 0) {
      if (token.kind === 'semi') continue; // an empty statement
      first = token.start;
    }
    if (token.kind === 'word') {
      if (words.length < 4) {
        words.push(token.text ?? '');
        inTrigger = isTriggerStart(words);
      }
      lastWord = token.text ?? '';
      continue;
    }
    if (token.kind === 'semi') {
      if (inTrigger && lastWord !== 'END') continue;
      out.push({ sql: text.slice(first, token.end), line: lineAt(first), complete: true });
      first = -1;
      words = [];
      inTrigger = false;
      lastWord = '';
      continue;
    }
    lastWord = '';
  }
  if (first >= 0) out.push({ sql: text.slice(first).trimEnd(), line: lineAt(first), complete: false });
  return out;
}

function isTriggerStart(words: string[]): boolean {
  if (words[0] !== 'CREATE') return false;
  const next = words[1] === 'TEMP' || words[1] === 'TEMPORARY' ? words[2] : words[1];
  return next === 'TRIGGER';
}

/** True when the text holds nothing but whitespace and comments. */
export function isBlank(text: string): boolean {
  for (const token of tokens(text)) if (token.kind !== 'space' && token.kind !== 'semi') return false;
  return true;
}
