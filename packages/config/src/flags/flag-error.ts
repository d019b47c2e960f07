/** A bad flag name or value. The message names the flag (and the flagfile line, when there is one). */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}
