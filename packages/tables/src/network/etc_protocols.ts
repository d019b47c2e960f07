import type { Row, TableDefinition } from '@quarry/sql';
import { fieldsAndComment, readLines } from '../system/host-files.js';

function* generate(): Iterable<Row> {
  for (const line of readLines('/etc/protocols')) {
    const { fields, comment } = fieldsAndComment(line);
    if (fields.length < 2 || !/^\d+$/.test(fields[1]!)) continue;
    const row: Row = { name: fields[0], number: Number(fields[1]), alias: fields.slice(2).join(' ') };
    if (comment !== '') row.comment = comment;
    yield row;
  }
}

export const etc_protocols: TableDefinition = {
  name: 'etc_protocols',
  description: 'Line-parsed /etc/protocols.',
  attributes: { cacheable: true },
  columns: [
    { name: 'name', type: 'TEXT', description: 'Protocol name' },
    { name: 'number', type: 'INTEGER', description: 'Protocol number' },
    { name: 'alias', type: 'TEXT', description: 'Protocol alias' },
    { name: 'comment', type: 'TEXT', description: 'Comment with protocol description' },
  ],
  generate,
};
