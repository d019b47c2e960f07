import { Engine } from '@quarry/sql';
import { augeasTables } from '@quarry/tables/augeas/index';
const engine = await Engine.create({ tables: augeasTables({root: '/tmp/augt'}) });
for (const q of process.argv.slice(2)) { const r = engine.query(q); console.log(q, r.rows.length, r.rows.slice(0,4), r.warnings); }
