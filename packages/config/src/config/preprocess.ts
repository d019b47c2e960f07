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
  /** Line and column (1-based) in the original file for an offset into `text`. */
  locate(offset: number): { line: number; column: number };
}

export function preprocessConfigText(raw: string): PreprocessedText {
  // Segments of kept original text: [cleanedStart, originalStart, length].
  const segments: [number, number, number][] = [];
  let text = '';
  let compact = '';
  let position = 0;
  const lines = raw.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const lineStart = position;
    position += line.length + 1;
    const trimmed = line.trim();
    const last = index === lines.length - 1;
    if (trimmed.startsWith('#') || trimmed.startsWith('//')) {
      // Keep the newline (not the comment) so the JSON text keeps whitespace between tokens.
      if (!last) {
        segments.push([text.length, lineStart + line.length, 1]);
        text += '\n';
      }
      continue;
    }
    const withoutCr = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (withoutCr.endsWith('\\') && !last) {
      // Joined line: drop the backslash and the newline.
      const kept = withoutCr.slice(0, -1);
      segments.push([text.length, lineStart, kept.length]);
      text += kept;
      compact += kept;
      continue;
    }
    const kept = last ? line : `${line}\n`;
    segments.push([text.length, lineStart, kept.length]);
    text += kept;
    compact += kept;
  }

  const lineStarts = [0];
  for (let k = 0; k < raw.length; k++) if (raw.charCodeAt(k) === 0x0a) lineStarts.push(k + 1);

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

  return {
    text,
    compact,
    locate(offset) {
      const original = toOriginal(offset);
      let low = 0;
      let high = lineStarts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (lineStarts[mid]! <= original) low = mid;
        else high = mid - 1;
      }
      // Column counts code points, as editors do.
      const column = [...raw.slice(lineStarts[low]!, original)].length + 1;
      return { line: low + 1, column };
    },
  };
}
