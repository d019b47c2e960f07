export * from './udev-event-context.js';
export * from './uevent-message.js';
export * from './udev-enrichment.js';
export * from './netlink-uevent-binding.js';
export * from './udev-publisher.js';
