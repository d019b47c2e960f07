import { auditFlags } from './audit.js';
import { coreFlags } from './core.js';
import type { FlagDefinition } from './definition.js';
import { eventsFlags } from './events.js';
import { extensionsFlags } from './extensions.js';
import { fleetFlags } from './fleet.js';
import { httpFlags } from './http.js';
import { osqueryOtherFlags } from './osquery-other.js';
import { shellFlags } from './shell.js';
import { yaraFlags } from './yara.js';

export * from './definition.js';
export { auditFlags, coreFlags, eventsFlags, extensionsFlags, fleetFlags, httpFlags, osqueryOtherFlags, shellFlags, yaraFlags };

/** Every flag Quarry knows, a fresh array each call (callers may extend it). */
export function allFlagDefinitions(): FlagDefinition[] {
  return [...coreFlags, ...shellFlags, ...eventsFlags, ...auditFlags, ...yaraFlags, ...httpFlags, ...fleetFlags, ...extensionsFlags, ...osqueryOtherFlags];
}
