/** The augeas table (osquery's `augeas`, alias `configurations`) on Debian's libaugeas through koffi. */
import type { TableDefinition } from '@quarry/sql';
import { augeasTable, type AugeasTableDeps } from './augeas.js';

export { augeasTable, DEFAULT_AUGEAS_LENSES, type AugeasTableDeps } from './augeas.js';
export { augeasMissingMessage, loadLibaugeas, AUGEAS_PACKAGES } from './libaugeas.js';
export { AugeasTree, describeProblem, type AugeasNode, type AugeasFileProblem } from './augeas-tree.js';
export { planAugeasQuery, filesOfLike, fileOfNode, type AugeasPlan } from './augeas-plan.js';

/** Once per Engine: the table owns one libaugeas handle (opened on its first query). */
export function augeasTables(deps: AugeasTableDeps = {}): TableDefinition[] {
  return [augeasTable(deps)];
}
