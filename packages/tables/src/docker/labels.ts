/** The Labels map of Docker objects as (key, value) rows, shared by the *_labels tables. */
import type { Row } from '@quarry/sql';
import type { DockerObject } from './docker-api.js';
import { field, isObject } from './docker-values.js';

export function* labelRows(object: DockerObject, keyColumn: string, keyValue: string): Iterable<Row> {
  const labels = field(object, 'Labels');
  if (!isObject(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    yield { [keyColumn]: keyValue, key, value: typeof value === 'string' ? value : JSON.stringify(value) };
  }
}
