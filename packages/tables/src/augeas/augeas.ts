/**
 * osquery's `augeas` table (alias `configurations`): configuration files read into nodes by Augeas lenses.
 * No required column: `path` is ADDITIONAL and `node` INDEX; without either every configured file is loaded.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { QueryError, type QueryContext, type Row, type TableDefinition } from '@quarry/sql';
import { AugeasInitError, AugeasTree, describeProblem, type AugeasFileProblem } from './augeas-tree.js';
import { planAugeasQuery } from './augeas-plan.js';
import { AUGEAS_PACKAGES } from './libaugeas.js';

/** Quarry's default for --augeas_lenses: Debian's augeas-lenses (osquery: /opt/osquery/share/osquery/lenses). */
export const DEFAULT_AUGEAS_LENSES = '/usr/share/augeas/lenses/dist';
/** Parse errors listed one by one in the warnings before the rest are counted. */
const LISTED_PROBLEMS = 5;

export interface AugeasTableDeps {
  /** @quarry/config's Flags (augeas_lenses is read at every query). */
  readonly flags?: { value(name: string): unknown; has?(name: string): boolean };
  /**
   * The filesystem root augeas reads files under (augtool's -r). Default: $AUGEAS_ROOT, else '/', which is what
   * libaugeas does when osquery passes no root.
   */
  readonly root?: string;
}

function lensesOf(deps: AugeasTableDeps): string {
  const value = deps.flags && (deps.flags.has?.('augeas_lenses') ?? true) ? deps.flags.value('augeas_lenses') : undefined;
  return typeof value === 'string' && value.length > 0 ? value : DEFAULT_AUGEAS_LENSES;
}

function rootOf(deps: AugeasTableDeps): string | null {
  return deps.root ?? null;
}

function checkLensDirectories(lenses: string): void {
  for (const directory of lenses.split(':').filter(Boolean)) {
    let isDirectory = false;
    try {
      isDirectory = statSync(directory).isDirectory();
    } catch {
      isDirectory = false;
    }
    if (!isDirectory) {
      throw new QueryError(
        `augeas lenses directory ${directory} does not exist: install the lenses (apt-get install -y ${AUGEAS_PACKAGES}) or set --augeas_lenses to a directory of .aug files`,
      );
    }
  }
}

/**
 * Parse errors as warnings: one full line per file the query named by path =, one summary line for files found by a
 * wider load (a stock system has a few files its lenses do not parse; osquery only logs those).
 */
function problemWarnings(problems: AugeasFileProblem[], named: readonly string[]): string[] {
  const warnings = problems.filter((problem) => named.includes(problem.path)).map((problem) => `${describeProblem(problem)}; no rows for it`);
  const others = problems.filter((problem) => !named.includes(problem.path)).map((problem) => problem.path);
  if (others.length > 0) {
    const listed = others.slice(0, LISTED_PROBLEMS).join(', ');
    const more = others.length > LISTED_PROBLEMS ? ` and ${others.length - LISTED_PROBLEMS} more` : '';
    warnings.push(
      `augeas could not parse ${others.length} file(s), their nodes are missing: ${listed}${more} (query one with path = '<file>' to see the error)`,
    );
  }
  return warnings;
}

export function augeasTable(deps: AugeasTableDeps = {}): TableDefinition {
  let tree: AugeasTree | undefined;

  function openTree(): AugeasTree {
    const lenses = lensesOf(deps);
    checkLensDirectories(lenses);
    try {
      tree ??= new AugeasTree();
      tree.open(lenses, rootOf(deps));
    } catch (error) {
      throw new QueryError((error as Error).message);
    }
    return tree;
  }

  function* generate(context: QueryContext): Iterable<Row> {
    const opened = openTree();
    const fsRoot = deps.root ?? process.env.AUGEAS_ROOT ?? '/';
    const plan = planAugeasQuery(context, fsRoot);
    const problems: AugeasFileProblem[] = [];
    try {
      if (plan.files === 'all') {
        opened.loadAll();
        problems.push(...opened.allProblems());
      } else {
        for (const file of plan.files) {
          opened.loadFile(file, existsSync(join(fsRoot, file)));
          const problem = opened.problemOf(file);
          if (problem) problems.push(problem);
        }
      }
    } catch (error) {
      if (error instanceof AugeasInitError) throw new QueryError(error.message);
      throw new QueryError((error as Error).message);
    }
    for (const warning of problemWarnings(problems, plan.named)) context.session.warn(warning);
    const seen = new Set<string>();
    for (const pattern of plan.patterns) {
      let nodes;
      try {
        nodes = opened.match(pattern);
      } catch (error) {
        throw new QueryError(`${(error as Error).message} (the node column takes an augeas path expression, e.g. /files/etc/hosts/*)`);
      }
      for (const node of nodes) {
        if (seen.has(node.node)) continue;
        seen.add(node.node);
        yield { node: node.node, value: node.value, label: node.label, path: node.path };
      }
    }
  }

  return {
    name: 'augeas',
    description: 'Configuration files parsed by augeas.',
    aliases: ['configurations'],
    columns: [
      { name: 'node', type: 'TEXT', description: 'The node path of the configuration item', index: true },
      { name: 'value', type: 'TEXT', description: 'The value of the configuration item' },
      { name: 'label', type: 'TEXT', description: 'The label of the configuration item' },
      { name: 'path', type: 'TEXT', description: 'The path to the configuration file', additional: true },
    ],
    generate,
  };
}
