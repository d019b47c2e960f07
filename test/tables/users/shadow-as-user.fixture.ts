// Run by shadow.test.ts as an unprivileged user: runs `select * from shadow` through the engine and prints the
// error the statement raises as JSON.
import { QueryError } from '@quarry/sql';
import { sql } from '../engine.js';

try {
  const rows = sql('select * from shadow');
  console.log(JSON.stringify({ name: 'none', rows: rows.length }));
} catch (error) {
  console.log(JSON.stringify({ queryError: error instanceof QueryError, message: (error as Error).message, code: (error as { code?: number }).code }));
}
