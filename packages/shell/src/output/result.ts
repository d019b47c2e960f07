/** A statement's result as the shell prints it: column names and rows of text (null = SQL NULL). */
export interface TextResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

/**
 * osquery's rows are maps keyed by column name, so a name that appears twice collapses to its last value.
 * Returns, per output column position, the index of the value that wins.
 */
export function winningIndexes(columns: readonly string[]): number[] {
  const last = new Map<string, number>();
  columns.forEach((name, index) => last.set(name, index));
  return columns.map((name) => last.get(name) ?? 0);
}

/** Byte-wise ordering of names, as std::map<std::string, ...> orders keys. */
export function compareNames(a: string, b: string): number {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return Buffer.compare(left, right);
}
