import type { TableDefinition } from '@quarry/sql';
import { cpuTime } from './cpu-time.js';
import { cpuid } from './cpuid.js';
import { kernelInfo } from './kernel-info.js';
import { loadAverage } from './load-average.js';
import { memoryInfo } from './memory-info.js';
import { mounts } from './mounts.js';
import { osVersion } from './os-version.js';
import { platformInfo } from './platform-info.js';
import { systemInfo } from './system-info.js';
import { time } from './time.js';
import { uptime } from './uptime.js';

export { cpuTime, cpuid, kernelInfo, loadAverage, memoryInfo, mounts, osVersion, platformInfo, systemInfo, time, uptime };

/** The host's system tables: clock, OS, kernel, CPU, memory, filesystems. */
export const systemTables: TableDefinition[] = [
  uptime, time, osVersion, systemInfo, kernelInfo, platformInfo, loadAverage, memoryInfo, cpuTime, cpuid, mounts,
];
