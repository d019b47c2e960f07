/** The manager's `options()`: every flag with its value, default and gflags type, as osquery answers. */
import type { Flags } from '@quarry/config';
import type { OptionInfo } from './wire-types.js';

export function flagOptions(flags: Flags): Record<string, OptionInfo> {
  const options: Record<string, OptionInfo> = {};
  for (const row of flags.rows()) options[row.name] = { value: row.value, default_value: row.default_value, type: row.type };
  return options;
}
