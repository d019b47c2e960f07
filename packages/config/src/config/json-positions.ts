/**
 * A strict JSON parser (RFC 8259) that also records where each value starts, so config errors can name
 * `file:line:column` both for syntax errors and for values of the wrong shape. It also enforces a nesting limit.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A key path inside the document: object keys and array indexes. */
export type JsonPath = (string | number)[];

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    /** Offset into the parsed text. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export interface ParsedJson {
  value: JsonValue;
  /** Offset in the text where the value at a path starts, or undefined when there is no such value. */
  offsetOf(path: JsonPath): number | undefined;
}


/** Parses `text`. Throws JsonSyntaxError with the offset of the problem. `maxDepth` counts nested objects/arrays. */
export function parseJsonWithPositions(
  text: string,
  maxDepth: number,
  depthMessage = 'too many nesting levels',
): ParsedJson {
  // Where each member/element starts, per container (no per-value path strings: this keeps big configs fast).
  const childOffsets = new WeakMap<object, Map<string | number, number>>();
  let rootOffset = 0;
  let i = 0;

  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };
  const describe = (at: number) => (at >= text.length ? 'the end of the input' : `'${text[at]}'`);
  const skipWhitespace = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let chunkStart = i;
    while (true) {
      if (i >= text.length) fail('Missing a closing quotation mark in string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(chunkStart, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('Invalid character in string (control characters such as a raw newline must be escaped)');
      if (c === 0x5c) {
        out += text.slice(chunkStart, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Incorrect hex digit after \\u escape in string');
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
        } else {
          fail(`Invalid escape character in string: \\${e ?? ''}`);
        }
        chunkStart = i;
        continue;
      }
      i++;
    }
  };

  const parseNumber = (): number => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (match === null || match[0] === '' || match[0] === '-') return fail(`Invalid value: unexpected ${describe(i)}`);
    i += match[0].length;
    return Number(match[0]);
  };

  const parseValue = (depth: number, offsets: Map<string | number, number> | undefined, key: string | number): JsonValue => {
    skipWhitespace();
    if (offsets) offsets.set(key, i);
    else rootOffset = i;
    const c = text[i];
    if (c === '{' || c === '[') {
      if (depth + 1 > maxDepth) fail(depthMessage);
    }
    if (c === '{') {
      i++;
      const object: { [key: string]: JsonValue } = {};
      const members = new Map<string | number, number>();
      childOffsets.set(object, members);
      skipWhitespace();
      if (text[i] === '}') {
        i++;
        return object;
      }
      while (true) {
        skipWhitespace();
        if (text[i] !== '"') fail(`Missing a name for object member: expected '"', found ${describe(i)}`);
        const key = parseString();
        skipWhitespace();
        if (text[i] !== ':') fail(`Missing a colon after a name of object member: found ${describe(i)}`);
        i++;
        const member = parseValue(depth + 1, members, key);
        // defineProperty for "__proto__" so it stays an ordinary member instead of changing the prototype.
        if (key === '__proto__') Object.defineProperty(object, key, { value: member, enumerable: true, writable: true, configurable: true });
        else object[key] = member;
        skipWhitespace();
        if (text[i] === ',') {
          i++;
          skipWhitespace();
          if (text[i] === '}') fail("Trailing comma before '}' is not allowed in JSON");
          continue;
        }
        if (text[i] === '}') {
          i++;
          return object;
        }
        fail(`Missing a comma or '}' after an object member: found ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      const array: JsonValue[] = [];
      const elements = new Map<string | number, number>();
      childOffsets.set(array, elements);
      skipWhitespace();
      if (text[i] === ']') {
        i++;
        return array;
      }
      while (true) {
        array.push(parseValue(depth + 1, elements, array.length));
        skipWhitespace();
        if (text[i] === ',') {
          i++;
          skipWhitespace();
          if (text[i] === ']') fail("Trailing comma before ']' is not allowed in JSON");
          continue;
        }
        if (text[i] === ']') {
          i++;
          return array;
        }
        fail(`Missing a comma or ']' after an array element: found ${describe(i)}`);
      }
    }
    if (c === '"') return parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    if (i >= text.length) return fail('The document is empty or ends too early: expected a value');
    if (c === "'") return fail("Invalid value: strings must use double quotes (\")");
    return fail(`Invalid value: unexpected ${describe(i)}`);
  };

  skipWhitespace();
  if (i >= text.length) fail('The document is empty');
  const value = parseValue(0, undefined, 0);
  skipWhitespace();
  if (i < text.length) fail(`The document root must not be followed by other values: found ${describe(i)}`);
  const offsetOf = (path: JsonPath): number | undefined => {
    let current: JsonValue = value;
    let offset: number | undefined = rootOffset;
    for (const part of path) {
      if (typeof current !== 'object' || current === null) return undefined;
      offset = childOffsets.get(current)?.get(part);
      if (offset === undefined) return undefined;
      current = (current as Record<string | number, JsonValue>)[part] as JsonValue;
    }
    return offset;
  };
  return { value, offsetOf };
}
