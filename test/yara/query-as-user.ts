/**
 * Child of yara-access.test.ts, run as an unprivileged user: runs each SQL argument against the yara tables and
 * prints one JSON line per query ({rows, warnings} or {error}).
 */
import { Engine } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { createYaraTables } from '@quarry/tables/yara/index';

const flags = new Flags();
flags.set('yara_delay', 0, 'cli');
const engine = await Engine.create({ tables: createYaraTables({ flags }) });
for (const sql of process.argv.slice(2)) {
  const warnings: string[] = [];
  try {
    const result = engine.query(sql, { onWarning: (m) => warnings.push(m) });
    console.log(JSON.stringify({ rows: result.rows, warnings }));
  } catch (error) {
    console.log(JSON.stringify({ error: (error as Error).message }));
  }
}
engine.close();
