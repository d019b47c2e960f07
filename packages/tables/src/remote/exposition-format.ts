/**
 * The Prometheus text exposition format (version 0.0.4, and the sample lines of OpenMetrics): one sample per line,
 * `name{label="value",...} value [timestamp_ms]`. Lines starting with '#' (HELP, TYPE, comments, `# EOF`) and
 * empty lines carry no sample. As osquery, the series is kept as written (`node_cpu_seconds_total{cpu="0",mode="idle"}`
 * is the metric_name), so LIKE 'node_cpu%' finds every series of a metric.
 */

export interface Sample {
  /** The metric name followed by its label block exactly as written, e.g. `up{job="node"}`. */
  readonly series: string;
  readonly value: number;
  /** The sample's own timestamp in ms, when the line carries one. */
  readonly timestampMs?: number;
}

export interface MalformedLine {
  readonly lineNumber: number;
  readonly text: string;
  readonly reason: string;
}

export interface ParsedExposition {
  readonly samples: Sample[];
  readonly malformed: MalformedLine[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)$/;
const TIMESTAMP = /^-?\d+(?:\.\d+)?$/;

/** The sample value: Go's ParseFloat spellings that Prometheus emits (NaN, +Inf, -Inf, decimals, exponents). */
export function parseSampleValue(text: string): number | undefined {
  switch (text.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case '+inf':
    case 'inf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
  }
  if (!FLOAT.test(text)) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  const unsigned = text.replace(/^[+-]/, '');
  return sign * (unsigned.startsWith('0x') || unsigned.startsWith('0X') ? Number.parseInt(unsigned, 16) : Number(unsigned));
}

/** Index just past the closing '}' of the label block that starts at `open`, or a reason it is malformed. */
function labelBlockEnd(line: string, open: number): number | string {
  let at = open + 1;
  for (;;) {
    while (line[at] === ' ' || line[at] === '\t') at++;
    if (line[at] === '}') return at + 1;
    const name = LABEL_NAME.exec(line.slice(at));
    if (!name) return `bad label name at column ${at + 1}`;
    at += name[0].length;
    while (line[at] === ' ' || line[at] === '\t') at++;
    if (line[at] !== '=') return `expected '=' after label ${name[0]}`;
    at++;
    while (line[at] === ' ' || line[at] === '\t') at++;
    if (line[at] !== '"') return `label ${name[0]} has no quoted value`;
    at++;
    for (;;) {
      const char = line[at];
      if (char === undefined) return `label ${name[0]} has an unterminated value`;
      if (char === '\\') {
        const escaped = line[at + 1];
        if (escaped !== '\\' && escaped !== '"' && escaped !== 'n') return `label ${name[0]} has a bad escape '\\${escaped ?? ''}'`;
        at += 2;
        continue;
      }
      at++;
      if (char === '"') break;
    }
    while (line[at] === ' ' || line[at] === '\t') at++;
    if (line[at] === ',') {
      at++;
      continue;
    }
    if (line[at] === '}') return at + 1;
    return `expected ',' or '}' after label ${name[0]}`;
  }
}

/** Parses one line; undefined for lines without a sample (comments, blank), a string for a malformed line. */
export function parseSampleLine(line: string): Sample | string | undefined {
  const trimmed = line.replace(/^[ \t]+/, '').replace(/[ \t\r]+$/, '');
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const name = METRIC_NAME.exec(trimmed);
  if (!name) return 'the line does not start with a metric name';
  let end = name[0].length;
  if (trimmed[end] === '{') {
    const after = labelBlockEnd(trimmed, end);
    if (typeof after === 'string') return after;
    end = after;
  }
  const series = trimmed.slice(0, end);
  let rest = trimmed.slice(end);
  // OpenMetrics exemplars follow the sample after ' # '.
  const exemplar = rest.indexOf(' # ');
  if (exemplar >= 0) rest = rest.slice(0, exemplar);
  if (rest !== '' && rest[0] !== ' ' && rest[0] !== '\t') return `unexpected '${rest[0]}' after ${series}`;
  const fields = rest.trim().split(/[ \t]+/).filter(Boolean);
  if (fields.length === 0) return `${series} has no value`;
  if (fields.length > 2) return `${series} has ${fields.length} fields after the name (expected a value and an optional timestamp)`;
  const value = parseSampleValue(fields[0]!);
  if (value === undefined) return `${series} has a value that is not a number: '${fields[0]}'`;
  if (fields.length === 1) return { series, value };
  if (!TIMESTAMP.test(fields[1]!)) return `${series} has a timestamp that is not a number: '${fields[1]}'`;
  return { series, value, timestampMs: Math.trunc(Number(fields[1])) };
}

/** Parses a whole scrape. Malformed lines are skipped and listed, never thrown. */
export function parseExposition(text: string): ParsedExposition {
  const samples: Sample[] = [];
  const malformed: MalformedLine[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const parsed = parseSampleLine(lines[index]!);
    if (parsed === undefined) continue;
    if (typeof parsed === 'string') malformed.push({ lineNumber: index + 1, text: lines[index]!, reason: parsed });
    else samples.push(parsed);
  }
  return { samples, malformed };
}
