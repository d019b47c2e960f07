/** osquery's docker_* tables over the Docker Engine API socket set by --docker_socket. */
import type { TableDefinition } from '@quarry/sql';
import type { DockerTableDeps } from './docker-api.js';
import { dockerContainerLabelsTable } from './docker_container_labels.js';
import { dockerContainerMountsTable } from './docker_container_mounts.js';
import { dockerContainerNetworksTable } from './docker_container_networks.js';
import { dockerContainerPortsTable } from './docker_container_ports.js';
import { dockerContainerProcessesTable } from './docker_container_processes.js';
import { dockerContainerStatsTable } from './docker_container_stats.js';
import { dockerContainersTable } from './docker_containers.js';
import { dockerImageLabelsTable } from './docker_image_labels.js';
import { dockerImagesTable } from './docker_images.js';
import { dockerInfoTable } from './docker_info.js';
import { dockerNetworkLabelsTable } from './docker_network_labels.js';
import { dockerNetworksTable } from './docker_networks.js';
import { dockerVersionTable } from './docker_version.js';
import { dockerVolumeLabelsTable } from './docker_volume_labels.js';
import { dockerVolumesTable } from './docker_volumes.js';

export {
  DEFAULT_DOCKER_SOCKET, DOCKER_MAX_BODY_BYTES, DOCKER_REQUEST_TIMEOUT_MS, DockerApi, dockerSocketOf,
  type DockerFlagReader, type DockerTableDeps,
} from './docker-api.js';
export { elapsedSeconds, TOP_PS_FIELDS } from './docker_container_processes.js';

export function dockerTables(deps: DockerTableDeps = {}): TableDefinition[] {
  return [
    dockerInfoTable(deps),
    dockerVersionTable(deps),
    dockerContainersTable(deps),
    dockerContainerLabelsTable(deps),
    dockerContainerMountsTable(deps),
    dockerContainerNetworksTable(deps),
    dockerContainerPortsTable(deps),
    dockerContainerProcessesTable(deps),
    dockerContainerStatsTable(deps),
    dockerImagesTable(deps),
    dockerImageLabelsTable(deps),
    dockerNetworksTable(deps),
    dockerNetworkLabelsTable(deps),
    dockerVolumesTable(deps),
    dockerVolumeLabelsTable(deps),
  ];
}
