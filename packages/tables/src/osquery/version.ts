import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** Quarry's own version, from the repository's package.json. */
export function quarryVersion(): string {
  if (cached === undefined) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: string };
      cached = manifest.version ?? '0.0.0';
    } catch {
      cached = '0.0.0';
    }
  }
  return cached;
}
