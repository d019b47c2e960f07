/**
 * Splits a dot-command line into words as the sqlite shell does: whitespace separates; '…' keeps text verbatim;
 * "…" decodes C escapes (\n \t \\ \" \ooo \xHH).
 */
export function splitMetaArguments(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
    if (i >= line.length) break;
    const quote = line[i];
    if (quote === "'" || quote === '"') {
      i++;
      let word = '';
      while (i < line.length && line[i] !== quote) {
        if (quote === '"' && line[i] === '\\' && i + 1 < line.length) {
          i++;
          word += decodeEscape(line, i, (consumed) => (i += consumed - 1));
        } else word += line[i];
        i++;
      }
      i++;
      words.push(word);
    } else {
      const start = i;
      while (i < line.length && !/\s/.test(line[i] as string)) i++;
      words.push(line.slice(start, i));
    }
  }
  return words;
}

function decodeEscape(line: string, at: number, advance: (consumed: number) => void): string {
  const c = line[at] as string;
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
  if (c in simple) return simple[c] as string;
  const octal = /^[0-7]{1,3}/.exec(line.slice(at));
  if (octal) {
    advance(octal[0].length);
    return String.fromCharCode(Number.parseInt(octal[0], 8));
  }
  const hex = /^x([0-9a-fA-F]{1,2})/.exec(line.slice(at));
  if (hex) {
    advance(hex[0].length);
    return String.fromCharCode(Number.parseInt(hex[1] as string, 16));
  }
  return c;
}
