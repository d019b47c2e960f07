import type { FlagValue } from '../flags/definition.js';
import type { Flags } from '../flags/flags.js';
import type { QuarryConfig } from './types.js';

/** osquery's conversion of a config option value to flag text: strings as-is, booleans and numbers as text, objects as JSON. */
function optionText(value: unknown): FlagValue {
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
  if (value === null) return '';
  return JSON.stringify(value);
}

/**
 * Applies the config's `options` to the flags, as osquery does: config values override CLI and flagfile values.
 * CLI-only flags, unknown names and bad values are skipped with osquery's warnings, which are returned.
 * Names starting with `custom_` are accepted and become string flags (shown in osquery_flags).
 */
export function applyConfigOptions(config: Pick<QuarryConfig, 'options'>, flags: Flags): string[] {
  const warnings: string[] = [];
  for (const [name, raw] of Object.entries(config.options)) {
    const value = optionText(raw);
    if (!flags.has(name) && name.startsWith('custom_')) {
      flags.define({ name, type: 'string', default: '', description: 'Custom option set in the config (custom_ prefix)' });
    }
    const canonical = flags.resolve(name);
    if (canonical === undefined) {
      const hint = flags.unknownFlagMessage(name).match(/Did you mean --(\S+)\?/);
      warnings.push(`Cannot set unknown or invalid flag: ${name}${hint ? ` (did you mean ${hint[1]}?)` : ''}`);
      continue;
    }
    const definition = flags.definition(canonical);
    if (definition.cliOnly) {
      warnings.push(
        `The CLI only flag --${canonical} set via config file will be ignored, please use a flagfile or pass it to the process at startup`,
      );
      continue;
    }
    if (flags.isLocked(canonical)) {
      warnings.push(`The flag --${canonical} is fixed in this mode (${flags.text(canonical)}); the config value was ignored`);
      continue;
    }
    try {
      flags.set(canonical, value, 'config');
    } catch (error) {
      warnings.push(`Cannot set unknown or invalid flag: ${name}: ${(error as Error).message}`);
    }
  }
  return warnings;
}
