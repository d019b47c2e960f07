import { Engine } from '@quarry/sql';
import { augeasTables } from '@quarry/tables/augeas/index';
const engine = await Engine.create({ tables: augeasTables() });
for (const q of process.argv.slice(2)) { const t=Date.now(); const r = engine.query(q); console.log(q, Date.now()-t,'ms'); console.table(r.rows.slice(0,15)); console.log(r.rows.length, r.warnings); }
