import { openSockets } from '@quarry/tables/processes/socket-reader';
import { readDescriptors } from '@quarry/tables/processes/proc-reader';
const pid = Number(process.argv[2]);
console.log(readDescriptors(pid).filter(d => d.target?.startsWith('socket')));
console.log(openSockets([pid], true).filter(s => s.localPort > 0));
