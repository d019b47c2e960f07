/** /proc/cpuinfo, one map of "key: value" pairs per logical processor. Shared by cpuid and system_info. */
import { parseColonPairs, readText } from './host-files.js';

export type ProcessorInfo = Map<string, string>;

export function readCpuInfo(): ProcessorInfo[] {
  const text = readText('/proc/cpuinfo');
  if (text === undefined) return [];
  return text
    .split(/\n\s*\n/)
    .filter((block) => block.trim().length > 0)
    .map(parseColonPairs)
    .filter((block) => block.has('processor'));
}

/** The number of distinct physical cores: (physical id, core id) pairs, or the logical count when absent. */
export function physicalCoreCount(processors: readonly ProcessorInfo[]): number {
  const cores = new Set<string>();
  for (const cpu of processors) {
    const physical = cpu.get('physical id');
    const core = cpu.get('core id');
    if (physical === undefined || core === undefined) return processors.length;
    cores.add(`${physical}:${core}`);
  }
  return cores.size;
}
