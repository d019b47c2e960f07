import type { Row, TableDefinition } from '@quarry/sql';
import { fieldsAndComment, readLines } from '../system/host-files.js';

function* generate(): Iterable<Row> {
  for (const line of readLines('/etc/services')) {
    const { fields, comment } = fieldsAndComment(line);
    if (fields.length < 2) continue;
    const [port, protocol] = fields[1]!.split('/');
    if (port === undefined || protocol === undefined || !/^\d+$/.test(port)) continue;
    const row: Row = { name: fields[0], port: Number(port), protocol, aliases: fields.slice(2).join(' ') };
    if (comment !== '') row.comment = comment;
    yield row;
  }
}

export const etc_services: TableDefinition = {
  name: 'etc_services',
  description: 'Line-parsed /etc/services.',
  attributes: { cacheable: true },
  columns: [
    { name: 'name', type: 'TEXT', description: 'Service name' },
    { name: 'port', type: 'INTEGER', description: 'Service port number' },
    { name: 'protocol', type: 'TEXT', description: 'Transport protocol (TCP/UDP)' },
    { name: 'aliases', type: 'TEXT', description: 'Optional space separated list of other names for a service' },
    { name: 'comment', type: 'TEXT', description: 'Optional comment for a service.' },
  ],
  generate,
};
