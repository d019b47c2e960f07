/** One row of yara / yara_process / yara_events from a scan's matching rules (osquery's comma-joined columns). */
import type { YaraRuleMatch } from './libyara.js';

export interface MatchColumns {
  matches: string;
  count: number;
  strings: string;
  tags: string;
}

export function matchColumns(found: readonly YaraRuleMatch[]): MatchColumns {
  return {
    matches: found.map((m) => m.rule).join(','),
    count: found.length,
    strings: found.flatMap((m) => m.strings).join(','),
    tags: found.flatMap((m) => m.tags).join(','),
  };
}
