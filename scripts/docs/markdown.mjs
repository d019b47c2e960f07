// Markdown facts shared by the docs generator (scripts/generate-docs.mjs) and the docs tests (test/docs/): which
// lines are prose (outside fenced code blocks) and the anchor GitHub gives a heading.

/** The lines of a Markdown text outside fenced code blocks, each with its 1-based line number. */
export function proseLines(text) {
  const out = [];
  let fence;
  text.split('\n').forEach((line, index) => {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) out.push({ line, number: index + 1 });
  });
  return out;
}

/** GitHub's anchor for a heading text: code marks and link targets dropped, lower case, punctuation but `-` and `_` dropped, spaces to `-`. */
export function slug(heading) {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The headings of a text outside code blocks, in order, each with its level and its anchor (GitHub's -1, -2 for repeats). */
export function headings(text) {
  const seen = new Map();
  const out = [];
  for (const { line } of proseLines(text)) {
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[2]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.push({ level: heading[1].length, text: heading[2], anchor: count === 0 ? base : `${base}-${count}` });
  }
  return out;
}
