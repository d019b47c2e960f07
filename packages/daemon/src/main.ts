export { main } from './daemon.js';
