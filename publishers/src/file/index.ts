export * from './file-publisher.js';
export * from './file-path-pattern.js';
export { inotifyLimit } from './inotify-binding.js';
export * from './chokidar-file-publisher.js';
