/** `quarryi --help`: osqueryi's usage layout, listing Quarry's flags by section. */
import type { Flags } from '@quarry/config';

export function usageText(flags: Flags, version: string): string {
  const definitions = flags.definitions().filter((definition) => !definition.hidden && definition.name.length > 1);
  const line = (name: string, type: string, description: string): string => {
    const left = `    --${name}${type === 'bool' ? '' : ' VALUE'}`;
    return left.padEnd(40) + ' ' + description + '\n';
  };
  const section = (title: string, selected: typeof definitions): string =>
    `${title}\n` + selected.map((d) => line(d.name, d.type, d.description)).join('') + '\n';
  let out = `quarry ${version}, your OS as a high-performance relational database\n`;
  out += 'Usage: quarryi [OPTION]... [SQL STATEMENT]\n\n';
  out += section('quarry command line flags:', definitions.filter((d) => d.cliOnly && !d.shellOnly));
  out += section('quarry configuration options (set by config or CLI flags):', definitions.filter((d) => !d.cliOnly && !d.shellOnly));
  out += section('quarry shell-only CLI flags:', definitions.filter((d) => d.shellOnly));
  out += '    -A TABLE'.padEnd(40) + ' Select all from a table\n';
  out += '    -L'.padEnd(40) + ' List all table names\n\n';
  out += 'Quarry project page: see README.md (osquery compatible: https://osquery.io).\n';
  return out;
}
