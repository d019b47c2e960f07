/** Every osquery SQL function the engine installs on its connection. */
import { encodingFunctions } from './encoding.js';
import { mathFunctions } from './math.js';
import { miscFunctions } from './misc.js';
import { networkFunctions } from './network.js';
import type { SqlFunction } from './registry.js';
import { stringFunctions } from './strings.js';
import { versionFunctions } from './versions.js';

export const osqueryFunctions: readonly SqlFunction[] = [
  ...mathFunctions,
  ...stringFunctions,
  ...networkFunctions,
  ...encodingFunctions,
  ...versionFunctions,
  ...miscFunctions,
];
