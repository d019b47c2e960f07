import type { FlagDefinition, FlagValue } from './definition.js';

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0']);

const LIMITS: Record<string, { min: number; max: number; label: string }> = {
  int32: { min: -2147483648, max: 2147483647, label: 'an integer between -2147483648 and 2147483647' },
  uint32: { min: 0, max: 4294967295, label: 'a non-negative integer below 2^32' },
  uint64: { min: 0, max: Number.MAX_SAFE_INTEGER, label: `a non-negative integer (at most ${Number.MAX_SAFE_INTEGER})` },
};

/** What a flag of this type expects, for error messages. */
export function expectedValue(definition: FlagDefinition): string {
  switch (definition.type) {
    case 'bool':
      return 'a boolean: true, false, 1, 0, yes, no';
    case 'string':
      return 'a string';
    case 'double':
      return 'a number';
    default:
      return LIMITS[definition.type]!.label;
  }
}

/**
 * Converts a raw value (from argv, a flagfile or the config) to the flag's type.
 * Returns the converted value, or an error message saying what was expected.
 */
export function convertFlagValue(definition: FlagDefinition, raw: FlagValue): { value: FlagValue } | { error: string } {
  const bad = () => ({ error: `expected ${expectedValue(definition)}, got ${JSON.stringify(raw)}` });
  let value: FlagValue;
  switch (definition.type) {
    case 'string':
      value = String(raw);
      break;
    case 'bool':
      if (typeof raw === 'boolean') value = raw;
      else if (typeof raw === 'number') value = raw !== 0;
      else {
        const word = raw.trim().toLowerCase();
        if (TRUE_WORDS.has(word)) value = true;
        else if (FALSE_WORDS.has(word)) value = false;
        else return bad();
      }
      break;
    case 'double': {
      const number = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(number)) return bad();
      value = number;
      break;
    }
    default: {
      let number: number;
      if (typeof raw === 'number') number = raw;
      else if (typeof raw === 'boolean') return bad();
      else {
        const text = raw.trim();
        if (/^[+-]?0x[0-9a-f]+$/i.test(text)) {
          const magnitude = Number.parseInt(text.replace(/^[+-]?0x/i, ''), 16);
          number = text.startsWith('-') ? -magnitude : magnitude;
        }
        else if (definition.octal && /^0[0-7]+$/.test(text)) number = Number.parseInt(text, 8);
        else if (/^[+-]?\d+$/.test(text)) number = Number(text);
        else return bad();
      }
      const limits = LIMITS[definition.type]!;
      if (!Number.isInteger(number) || number < limits.min || number > limits.max) return bad();
      value = number;
    }
  }
  const problem = definition.validate?.(value);
  return problem === undefined ? { value } : { error: problem };
}

/** A flag value as osquery shows it (osquery_flags.value, .show, config_dump). */
export function formatFlagValue(value: FlagValue): string {
  return typeof value === 'string' ? value : String(value);
}
