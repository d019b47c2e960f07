/** A config that cannot be used. `message` starts with `file:line:column: ` (or `file: ` when no position applies). */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    /** The problem without the location prefix. */
    readonly reason: string,
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}:${column ?? 1}: ${reason}`);
    this.name = 'ConfigError';
  }
}
