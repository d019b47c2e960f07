/**
 * Built-in event publishers. Wiring (see subscribers/src/index.ts and /work/coord/events-fim.md):
 *   registerBuiltinPublishers(runtime, { flags }) registers the file publisher (type `inotify`).
 */
import { flagBoolean, flagExplicit, type EventRuntime, type FlagSource } from '@quarry/events';
import { FilePublisher } from './file/index.js';

export * from './file/index.js';

export interface BuiltinPublisherDeps {
  flags: FlagSource;
}

/**
 * The file publisher runs whenever events are enabled, unless --enable_file_events=false was given explicitly
 * (deliberate difference: osquery also needs --enable_file_events=true; the workshop's Lab 3 does not pass it).
 */
export function registerBuiltinPublishers(runtime: EventRuntime, deps: BuiltinPublisherDeps): void {
  const explicitlyOff = flagExplicit(deps.flags, 'enable_file_events') && !flagBoolean(deps.flags, 'enable_file_events', true);
  runtime.registerPublisher(new FilePublisher({ enabled: !explicitlyOff }));
}
