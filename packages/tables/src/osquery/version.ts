import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invocationOf } from '@quarry/config/invocation';

let cached: string | undefined;

/** The repository's package.json version, found by walking up from this module (bundled or not). */
function readQuarryVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'quarry' && manifest.version) return manifest.version;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(directory);
    if (parent === directory) return '0.0.0';
    directory = parent;
  }
}

/** Quarry's own version. */
export function quarryVersion(): string {
  cached ??= readQuarryVersion();
  return cached;
}

/**
 * The osquery release whose flags, tables, config and remote API Quarry follows (../shared/reference/ is 5.23).
 * Fleet managers decide what an agent supports from osquery_info.version; under the osquery names Quarry reports
 * this version there, so a Fleet server enables the features Quarry implements instead of treating "0.1.0" as an
 * osquery from 2014. Under Quarry's names Quarry reports its own version.
 */
export const OSQUERY_COMPATIBLE_VERSION = '5.23.0';

/** The version this process reports (osquery_info.version, --version, pack `version` discovery). */
export function agentVersion(): string {
  return invocationOf().brand === 'osquery' ? OSQUERY_COMPATIBLE_VERSION : quarryVersion();
}
