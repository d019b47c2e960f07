/** The `yara` key of osquery.conf, as @quarry/config parsed it (relative rule paths already resolved). */
export interface YaraSection {
  /** Signature group → rule files. */
  signatures: Record<string, string[]>;
  /** file_paths category → signature groups. */
  file_paths: Record<string, string[]>;
  /** Allow-list for sigurl: URLs whose path is a regular expression. */
  signature_urls: string[];
}

export const EMPTY_YARA_SECTION: YaraSection = { signatures: {}, file_paths: {}, signature_urls: [] };

function stringLists(value: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [key, list] of Object.entries(value as Record<string, unknown>)) {
    const items = typeof list === 'string' ? [list] : Array.isArray(list) ? list : [];
    out[key] = items.filter((item): item is string => typeof item === 'string' && item.length > 0);
  }
  return out;
}

/** Reads the `yara` section from a parsed config object (QuarryConfig or a plain osquery.conf object). */
export function yaraSectionOf(config: unknown): YaraSection {
  if (!config || typeof config !== 'object') return EMPTY_YARA_SECTION;
  const yara = (config as Record<string, unknown>)['yara'];
  if (!yara || typeof yara !== 'object' || Array.isArray(yara)) return EMPTY_YARA_SECTION;
  const section = yara as Record<string, unknown>;
  const urls = Array.isArray(section['signature_urls']) ? section['signature_urls'].filter((u): u is string => typeof u === 'string') : [];
  return { signatures: stringLists(section['signatures']), file_paths: stringLists(section['file_paths']), signature_urls: urls };
}

/** Reads a flag through anything with value(name) (@quarry/config's Flags); undefined when not defined. */
export interface FlagReader {
  value(name: string): unknown;
  has?(name: string): boolean;
}

export function flagNumber(flags: FlagReader | undefined, name: string, fallback: number): number {
  if (!flags || (flags.has && !flags.has(name))) return fallback;
  try {
    const value = Number(flags.value(name));
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

export function flagBool(flags: FlagReader | undefined, name: string, fallback: boolean): boolean {
  if (!flags || (flags.has && !flags.has(name))) return fallback;
  try {
    const value = flags.value(name);
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string') return value === 'true' || value === '1';
    if (typeof value === 'number') return value !== 0;
    return fallback;
  } catch {
    return fallback;
  }
}
