/**
 * osquery's config text clean-up, done before JSON parsing: lines whose trimmed text starts with `#` or `//` are
 * removed, and a backslash at the end of a line joins it with the next one. Quarry keeps a map from the cleaned
 * text back to the original lines, so errors point at the line the user wrote.
 */
export interface PreprocessedText {
  /** The text the JSON parser sees (comment lines blanked, so offsets map back to lines). */
  text: string;
  /** osquery's cleaned text: comment lines removed, continuation lines joined (what --config_dump prints). */
  compact: string;
  /** Line and column (1-based; columns count code points) in the original file for an offset into `text`. */
  locate(offset: number): { line: number; column: number };
}

export function preprocessConfigText(raw: string): PreprocessedText {
  if (!/^[ \t]*(#|\/\/)/m.test(raw) && !/\\\r?\n/.test(raw)) {
    // Nothing to clean: the text maps to itself.
    return { text: raw, compact: raw, locate: (offset) => locateInRaw(raw, Math.min(offset, raw.length)) };
  }
  // Segments of kept original text: [cleanedStart, originalStart, length].
  const segments: [number, number, number][] = [];
  const textParts: string[] = [];
  const compactParts: string[] = [];
  let textLength = 0;
  let position = 0;
  const keep = (originalStart: number, kept: string, inCompact: boolean) => {
    segments.push([textLength, originalStart, kept.length]);
    textParts.push(kept);
    textLength += kept.length;
    if (inCompact) compactParts.push(kept);
  };
  const lines = raw.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const lineStart = position;
    position += line.length + 1;
    const last = index === lines.length - 1;
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || trimmed.startsWith('//')) {
      // Keep only the newline, so tokens on either side stay separated and line numbers stay put.
      if (!last) keep(lineStart + line.length, '\n', false);
      continue;
    }
    const withoutCr = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (withoutCr.endsWith('\\') && !last) {
      keep(lineStart, withoutCr.slice(0, -1), true); // joined: drop the backslash and the newline
      continue;
    }
    keep(lineStart, last ? line : `${line}\n`, true);
  }

  const toOriginal = (offset: number): number => {
    let low = 0;
    let high = segments.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (segments[mid]![0] <= offset) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    if (found === -1) return 0;
    const [cleanedStart, originalStart, length] = segments[found]!;
    return originalStart + Math.min(offset - cleanedStart, length);
  };
  return { text: textParts.join(''), compact: compactParts.join(''), locate: (offset) => locateInRaw(raw, toOriginal(offset)) };
}

/** 1-based line and column (in code points) of an offset into the original text. */
function locateInRaw(raw: string, original: number): { line: number; column: number } {
  const lineStart = raw.lastIndexOf('\n', original - 1) + 1;
  let line = 1;
  for (let k = raw.indexOf('\n'); k !== -1 && k < original; k = raw.indexOf('\n', k + 1)) line++;
  return { line, column: [...raw.slice(lineStart, original)].length + 1 };
}
