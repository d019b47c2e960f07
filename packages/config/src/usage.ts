import type { FlagDefinition } from './flags/definition.js';
import type { Flags } from './flags/flags.js';

export interface UsageOptions {
  /** `quarryi` or `quarryd`. */
  binary: string;
  version: string;
  mode: 'shell' | 'daemon';
}

function flagLine(definition: FlagDefinition): string {
  const value = definition.type === 'bool' ? '' : ` VALUE`;
  const left = `    --${definition.name}${value}`;
  const note = definition.noEffect === undefined ? '' : ' (no effect in Quarry)';
  return `${left.padEnd(40)}  ${definition.description}${note}\n`;
}

/**
 * --help text in osquery's layout: command line flags (CLI-only), configuration options, shell-only flags (shell
 * mode), then the epilog. Hidden flags and 1-2 letter flags are left out.
 */
export function usageText(flags: Flags, options: UsageOptions): string {
  const visible = flags
    .definitions()
    .filter((definition) => !definition.hidden && definition.name.length > 2)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const section = (title: string, list: FlagDefinition[]) => (list.length === 0 ? '' : `${title}\n${list.map(flagLine).join('')}\n`);
  const osquery = options.binary.startsWith('osquery');
  let text = osquery
    ? `osquery ${options.version}, your OS as a high-performance relational database\n`
    : `quarry ${options.version}, your OS as a high-performance relational database (osquery-compatible)\n`;
  text += `Usage: ${options.binary} [OPTION]...${options.mode === 'shell' ? ' [SQL STATEMENT]' : ''}\n\n`;
  text += section('osquery command line flags:', visible.filter((d) => d.cliOnly && !d.shellOnly));
  text += section('osquery configuration options (set by config or CLI flags):', visible.filter((d) => !d.cliOnly && !d.shellOnly));
  if (options.mode === 'shell') {
    text += section('osquery shell-only CLI flags:', visible.filter((d) => d.shellOnly));
    text += '    -A TABLE                                Select all from a table\n    -L                                      List all table names\n\n';
  }
  text += osquery ? 'osquery project page <https://osquery.io>.\n' : 'quarry project page <https://github.com/quarry>; osquery project page <https://osquery.io>.\n';
  return text;
}
