/** Every osquery SQL function the engine installs on its connection. */
import { carveFunctions } from './carve.js';
import { encodingFunctions } from './encoding.js';
import { mathFunctions } from './math.js';
import { miscFunctions } from './misc.js';
import { networkFunctions } from './network.js';
import { pathFunctions } from './paths.js';
import type { SqlAggregate, SqlFunction } from './registry.js';
import { stringFunctions } from './strings.js';
import { versionFunctions } from './versions.js';

export const osqueryFunctions: readonly (SqlFunction | SqlAggregate)[] = [
  ...mathFunctions,
  ...stringFunctions,
  ...networkFunctions,
  ...encodingFunctions,
  ...versionFunctions,
  ...miscFunctions,
  ...pathFunctions,
  ...carveFunctions,
];
