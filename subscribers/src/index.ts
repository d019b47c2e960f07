/**
 * Built-in event subscribers. Wiring for the shell and daemon (see the README's event section):
 *   const runtime = createEventRuntime(flags, config, store, logger);   // @quarry/events
 *   registerBuiltinPublishers(runtime, { flags });                        // @quarry/publishers
 *   registerBuiltinSubscribers(runtime, { flags });                       // @quarry/subscribers
 *   await runtime.start(); engine tables: runtime.tables()
 */
export * from './file-events/index.js';
export * from './process-events/index.js';
export * from './user-events/index.js';
export * from './socket-events/index.js';
export * from './process-file-events/index.js';
export * from './seccomp-events/index.js';
export * from './selinux-events/index.js';
export * from './apparmor-events/index.js';
export * from './yara-events/index.js';
export * from './syslog-events/index.js';
export * from './hardware-events/index.js';
export * from './declarations.js';
export * from './builtin.js';
export * from './event-side.js';
