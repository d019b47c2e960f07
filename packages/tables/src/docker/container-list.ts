/** `GET /containers/json?all=1`, narrowed by the query's id constraints as osquery does (Docker's id filter). */
import type { QueryContext } from '@quarry/sql';
import type { DockerApi, DockerObject } from './docker-api.js';
import { idValues, listQuery, objects, shownId, text } from './docker-values.js';

export interface ContainerList {
  readonly containers: DockerObject[];
  /** The id prefixes of the query's constraints (see shownId). */
  readonly prefixes: string[];
}

export function listContainers(api: DockerApi, context: QueryContext): ContainerList | undefined {
  const prefixes = idValues(context, 'id');
  const answer = api.get(`/containers/json${listQuery('id', prefixes, true)}`);
  if (!Array.isArray(answer)) return undefined;
  return { containers: objects(answer), prefixes };
}

export function containerId(container: DockerObject, prefixes: readonly string[]): string {
  return shownId(text(container, 'Id'), prefixes);
}
