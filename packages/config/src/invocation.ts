/**
 * Which name the process was started under. Quarry installs `quarryi`/`quarryd` and, for teams that swap the binary
 * under their osquery packaging, `osqueryi`/`osqueryd` (bin/osqueryi.js, bin/osqueryd.js, or any link named so).
 * Under an osquery name the user-visible names are osquery's: the shell prompt `osquery> `, `--version` and
 * `--help` headers, and the default pidfile and log directory. Under Quarry's names nothing changes.
 */
import { basename } from 'node:path';
import type { FlagDefinition } from './flags/definition.js';

export type Brand = 'quarry' | 'osquery';

export interface Invocation {
  readonly brand: Brand;
  /** `quarryi` or `osqueryi`. */
  readonly shell: string;
  /** `quarryd` or `osqueryd`. */
  readonly daemon: string;
}

/** The name the process runs under, from the script path (argv[1]) or the program itself (argv[0]). */
export function invocationOf(script: string = process.argv[1] ?? '', program: string = process.argv0): Invocation {
  const names = [script, program].map((path) => basename(path).replace(/\.(c|m)?js$/, ''));
  return names.some((name) => name.startsWith('osquery')) ? OSQUERY : QUARRY;
}

const QUARRY: Invocation = { brand: 'quarry', shell: 'quarryi', daemon: 'quarryd' };
const OSQUERY: Invocation = { brand: 'osquery', shell: 'osqueryi', daemon: 'osqueryd' };

/**
 * osquery's Linux defaults for the files a tool or runbook looks for, used under the osquery names. The database
 * keeps Quarry's default: an LMDB environment must not be created inside an osquery RocksDB directory that a
 * swapped-out osqueryd left at /var/osquery/osquery.db.
 */
const OSQUERY_DEFAULTS: Record<string, string> = {
  pidfile: '/var/run/osqueryd.pidfile',
  logger_path: '/var/log/osquery/',
};

/** The flag definitions with the defaults of `brand`. */
export function brandDefinitions(definitions: FlagDefinition[], brand: Brand): FlagDefinition[] {
  if (brand === 'quarry') return definitions;
  return definitions.map((definition) =>
    definition.name in OSQUERY_DEFAULTS ? { ...definition, default: OSQUERY_DEFAULTS[definition.name]! } : definition,
  );
}
