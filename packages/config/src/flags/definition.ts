/** The value types a flag can have. They are gflags' type names, as shown in `osquery_flags.type`. */
export type FlagType = 'bool' | 'string' | 'int32' | 'uint32' | 'uint64' | 'double';

/** A flag's current value: booleans for `bool`, numbers for the numeric types, strings for `string`. */
export type FlagValue = string | number | boolean;

/** Where a flag's current value came from. `mode` = set by the shell/daemon mode before or after parsing. */
export type FlagSource = 'cli' | 'flagfile' | 'config' | 'default' | 'mode';

export interface FlagDefinition {
  /** osquery's flag name (no dashes). */
  name: string;
  type: FlagType;
  default: FlagValue;
  /** osquery's help text; Quarry-only flags say so. */
  description: string;
  /** osquery SHELL_FLAG: only meaningful in the shell (`osquery_flags.shell_only = 1`). */
  shellOnly?: boolean;
  /** osquery CLI_FLAG: may be set on the command line or in a flagfile, never from the config `options`. */
  cliOnly?: boolean;
  /** osquery HIDDEN_FLAG: not listed by --help (still listed in osquery_flags). */
  hidden?: boolean;
  /** Other names accepted for this flag (osquery FLAG_ALIAS). */
  aliases?: string[];
  /** Numeric flags only: a string value with a leading 0 (e.g. `0640`) is read as octal. */
  octal?: boolean;
  /**
   * Why setting this osquery flag changes nothing in Quarry (the feature it tunes does not exist here, or Quarry
   * does the thing another way). A value other than the default set on the command line, in a flagfile or in the
   * config's `options` gets a warning with this text, so an osquery flagfile loads but nothing is silently ignored.
   */
  noEffect?: string;
  /** Extra check on an already type-converted value; returns an error message, or undefined when valid. */
  validate?: (value: FlagValue) => string | undefined;
}

/** A small helper to declare a group of flags with type checking. */
export function defineFlags(definitions: FlagDefinition[]): FlagDefinition[] {
  return definitions;
}

/** Builds a validator that accepts only the listed string values. */
export function oneOf(...allowed: string[]): (value: FlagValue) => string | undefined {
  return (value) =>
    allowed.includes(String(value)) ? undefined : `must be one of ${allowed.join(', ')} (got "${String(value)}")`;
}
