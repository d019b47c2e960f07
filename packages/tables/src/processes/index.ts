import type { TableDefinition } from '@quarry/sql';
import { listeningPorts } from './listening-ports.js';
import { processEnvs } from './process-envs.js';
import { processMemoryMap } from './process-memory-map.js';
import { processOpenFiles } from './process-open-files.js';
import { processOpenSockets } from './process-open-sockets.js';
import { processes } from './processes.js';

export { listeningPorts, processEnvs, processMemoryMap, processOpenFiles, processOpenSockets, processes };

/** Processes and what they hold: environment, files, sockets, memory maps, listening ports. */
export const processesTables: TableDefinition[] = [
  processes, processEnvs, processOpenFiles, processOpenSockets, processMemoryMap, listeningPorts,
];
