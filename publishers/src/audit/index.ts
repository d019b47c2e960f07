export * from './audit-event-context.js';
export * from './audit-event-assembler.js';
export * from './audit-flags.js';
export * from './audit-kernel-plan.js';
export * from './audit-fim-rules.js';
export * from './audit-fim-event.js';
export * from './audit-publisher.js';
export * from './serial-gap-tracker.js';
