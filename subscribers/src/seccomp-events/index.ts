export * from './seccomp-events-subscriber.js';
export * from './seccomp-events-table.js';
export * from './seccomp-arch.js';
export * from './seccomp-action.js';
export * from './x86-64-syscall-names.js';
