import { closestMatch } from '../edit-distance.js';
import { parseArguments, type ParseOptions, type ParseResult } from './argv.js';
import type { FlagDefinition, FlagSource, FlagType, FlagValue } from './definition.js';
import { allFlagDefinitions } from './index.js';
import { brandDefinitions } from '../invocation.js';
import { convertFlagValue, formatFlagValue } from './value.js';

import { FlagError } from './flag-error.js';

export { FlagError };

/** One row of the osquery_flags table. */
export interface FlagRow {
  name: string;
  type: FlagType;
  description: string;
  default_value: string;
  value: string;
  shell_only: number;
}

interface FlagState {
  definition: FlagDefinition;
  value: FlagValue;
  source: FlagSource;
}

/**
 * The flag values of one process. Create it once (usually through `Flags.parse`) and pass it to whatever needs
 * flags; there is no global instance.
 */
export class Flags {
  private readonly states = new Map<string, FlagState>();
  private readonly aliases = new Map<string, string>();
  /** Flags the process mode forced after parsing (the shell's disable_logging, ...): config may not change them. */
  private readonly locked = new Set<string>();

  constructor(definitions: FlagDefinition[] = allFlagDefinitions()) {
    for (const definition of definitions) this.define(definition);
  }

  /**
   * Parses a command line (without the node/binary arguments). `mode: 'shell'` applies osqueryi's defaults.
   * Throws FlagError for an unknown flag, a bad value or an unreadable/malformed flagfile.
   */
  static parse(argv: string[], options: ParseOptions = { mode: 'daemon' }): ParseResult & { flags: Flags } {
    const flags = new Flags(brandDefinitions(allFlagDefinitions(), options.brand ?? 'quarry'));
    return { flags, ...parseArguments(flags, argv, options) };
  }

  /** Adds a flag definition (e.g. a `custom_` option from the config). Redefining an existing name throws. */
  define(definition: FlagDefinition): void {
    if (this.states.has(definition.name) || this.aliases.has(definition.name)) {
      throw new FlagError(`Flag --${definition.name} is defined twice`);
    }
    const converted = convertFlagValue({ ...definition, validate: undefined }, definition.default);
    if ('error' in converted) throw new FlagError(`Default of flag --${definition.name}: ${converted.error}`);
    this.states.set(definition.name, { definition, value: converted.value, source: 'default' });
    for (const alias of definition.aliases ?? []) this.aliases.set(alias, definition.name);
  }

  /** The canonical name for a name or alias; dashes are accepted for underscores (`config-check`). */
  resolve(name: string): string | undefined {
    for (const candidate of [name, name.replaceAll('-', '_')]) {
      if (this.states.has(candidate)) return candidate;
      const target = this.aliases.get(candidate);
      if (target !== undefined) return target;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.resolve(name) !== undefined;
  }

  /** The definition of a flag; throws FlagError (with a suggestion) for an unknown name. */
  definition(name: string): FlagDefinition {
    return this.state(name).definition;
  }

  definitions(): FlagDefinition[] {
    return [...this.states.values()].map((state) => state.definition);
  }

  bool(name: string): boolean {
    return this.typed(name, ['bool']) as boolean;
  }

  string(name: string): string {
    return this.typed(name, ['string']) as string;
  }

  number(name: string): number {
    return this.typed(name, ['int32', 'uint32', 'uint64', 'double']) as number;
  }

  /** The current value whatever its type. */
  value(name: string): FlagValue {
    return this.state(name).value;
  }

  /** The current value as osquery prints it (osquery_flags.value). */
  text(name: string): string {
    return formatFlagValue(this.state(name).value);
  }

  source(name: string): FlagSource {
    return this.state(name).source;
  }

  /** True while the flag still has its built-in default (never set by mode, CLI, flagfile or config). */
  isDefault(name: string): boolean {
    return this.state(name).source === 'default';
  }

  /**
   * Sets a flag, converting strings to the flag's type. Throws FlagError naming the flag for an unknown name or a
   * bad value.
   */
  set(name: string, value: FlagValue, source: FlagSource): void {
    const state = this.state(name);
    const converted = convertFlagValue(state.definition, value);
    if ('error' in converted) throw new FlagError(`Invalid value for flag --${state.definition.name}: ${converted.error}`);
    state.value = converted.value;
    state.source = source;
  }

  /** Marks a flag as forced by the process mode: applyConfigOptions will not change it. */
  lock(name: string): void {
    this.locked.add(this.state(name).definition.name);
  }

  isLocked(name: string): boolean {
    const canonical = this.resolve(name);
    return canonical !== undefined && this.locked.has(canonical);
  }

  /**
   * One warning per flag that has no effect in Quarry (FlagDefinition.noEffect) but was set to something other than
   * its default on the command line, in a flagfile or in the config: `--utc=false has no effect in Quarry: ...`.
   */
  noEffectWarnings(): string[] {
    const warnings: string[] = [];
    for (const { definition, value, source } of this.states.values()) {
      if (definition.noEffect === undefined || source === 'default' || source === 'mode') continue;
      const converted = convertFlagValue({ ...definition, validate: undefined }, definition.default);
      if ('value' in converted && converted.value === value) continue;
      warnings.push(`--${definition.name}=${formatFlagValue(value)} has no effect in Quarry: ${definition.noEffect}`);
    }
    return warnings;
  }

  /** Rows for osquery_flags: sorted by name, names of 2 characters or fewer (A, L, S, D) left out, as osquery. */
  rows(): FlagRow[] {
    return [...this.states.values()]
      .filter((state) => state.definition.name.length > 2)
      .sort((a, b) => (a.definition.name < b.definition.name ? -1 : a.definition.name > b.definition.name ? 1 : 0))
      .map(({ definition, value }) => ({
        name: definition.name,
        type: definition.type,
        description: definition.description,
        default_value: formatFlagValue(definition.default),
        value: formatFlagValue(value),
        shell_only: definition.shellOnly ? 1 : 0,
      }));
  }

  /** `Unknown flag --x. Did you mean --y?` */
  unknownFlagMessage(name: string): string {
    const suggestion = closestMatch(name, [...this.states.keys(), ...this.aliases.keys()].filter((n) => n.length > 1));
    return suggestion === undefined
      ? `Unknown flag --${name}. Run with --help to list the flags.`
      : `Unknown flag --${name}. Did you mean --${suggestion}?`;
  }

  private state(name: string): FlagState {
    const canonical = this.resolve(name);
    if (canonical === undefined) throw new FlagError(this.unknownFlagMessage(name));
    return this.states.get(canonical)!;
  }

  private typed(name: string, types: FlagType[]): FlagValue {
    const state = this.state(name);
    if (!types.includes(state.definition.type)) {
      throw new FlagError(`Flag --${state.definition.name} is a ${state.definition.type} flag, not ${types.join('/')}`);
    }
    return state.value;
  }
}
