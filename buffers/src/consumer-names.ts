/**
 * Consumer names: each one keeps a cursor per ring for ever (until dropped), so names that come from outside (HTTP
 * clients) must be checked, and the number of consumers per ring is capped.
 *
 * - validateConsumerName / consumerNameProblem: the strict rule for names chosen by clients (at most 128 characters
 *   from `A-Z a-z 0-9 _ . : @ / -`). Call it where untrusted input becomes a consumer name.
 * - The ring itself accepts any name of 1 to 512 characters without control characters, because scheduled query
 *   names (which come from the config, as in osquery) are used as consumer names and may hold spaces.
 */

export const CONSUMER_NAME_MAX = 128;
const CONSUMER_NAME = /^[A-Za-z0-9_.:@/-]+$/;
/** Longest name the ring stores (pack query names are long). */
export const STORED_CONSUMER_NAME_MAX = 512;
/** Consumers one ring keeps by default (EventStoreOptions.maxConsumers). */
export const DEFAULT_MAX_CONSUMERS = 1024;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f\uffff]/;

export class ConsumerNameError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'ConsumerNameError';
  }
}

/** Thrown when a new consumer would exceed the per-ring cap. */
export class ConsumerLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsumerLimitError';
  }
}

/** Why `name` is not an acceptable client-chosen consumer name, or undefined when it is. */
export function consumerNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return `consumer name must be a non-empty string, got ${JSON.stringify(name)}`;
  if (name.length > CONSUMER_NAME_MAX) return `consumer name is ${name.length} characters long; at most ${CONSUMER_NAME_MAX} are allowed`;
  if (!CONSUMER_NAME.test(name)) {
    return `consumer name ${JSON.stringify(name)} may hold only letters, digits and the characters _ . : @ / -`;
  }
  return undefined;
}

/** Throws ConsumerNameError naming what is wrong when `name` is not an acceptable client-chosen consumer name. */
export function validateConsumerName(name: unknown): asserts name is string {
  const problem = consumerNameProblem(name);
  if (problem) throw new ConsumerNameError(problem);
}

/** The ring's own (looser) check, for every consumer name including scheduled query names. */
export function checkStoredConsumerName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > STORED_CONSUMER_NAME_MAX || CONTROL_CHARACTERS.test(name)) {
    throw new ConsumerNameError(
      `Consumer name must be a non-empty string of at most ${STORED_CONSUMER_NAME_MAX} characters without control characters, got ${JSON.stringify(name)}`,
    );
  }
}
