// Run by shadow.test.ts as an unprivileged user: queries the shadow generator and prints the error it raises as JSON.
import { shadow } from '@quarry/tables/users/shadow';
import { rowsOf } from '../context.js';

try {
  const rows = rowsOf(shadow);
  console.log(JSON.stringify({ name: 'none', rows: rows.length }));
} catch (error) {
  console.log(JSON.stringify({ name: (error as Error).name, message: (error as Error).message }));
}
