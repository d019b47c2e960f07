/** Registration of the built-in subscribers, and their tables without a runtime. */
import { flagInteger, type EventRuntime, type FlagSource } from '@quarry/events';
import { FileEventsSubscriber } from './file-events/index.js';
import { ProcessEventsSubscriber } from './process-events/index.js';
import { UserEventsSubscriber } from './user-events/index.js';
import { SocketEventsSubscriber } from './socket-events/index.js';
import { ProcessFileEventsSubscriber } from './process-file-events/index.js';
import { SeccompEventsSubscriber } from './seccomp-events/index.js';
import { SelinuxEventsSubscriber } from './selinux-events/index.js';
import { ApparmorEventsSubscriber } from './apparmor-events/index.js';
import { YaraEventsSubscriber, type YaraFileScanner } from './yara-events/index.js';
import { SyslogEventsSubscriber } from './syslog-events/index.js';
import { HardwareEventsSubscriber } from './hardware-events/index.js';

export interface BuiltinSubscriberDeps {
  flags: FlagSource;
  /** The YARA scanner for yara_events (lives with libyara in @quarry/tables; injected).
   *  The caller owns it and closes it after the runtime stopped. */
  yaraScanner?: YaraFileScanner;
}

/** Registers file_events (read_max from flags), process_events, user_events, socket_events, process_file_events, seccomp_events, selinux_events, apparmor_events, yara_events, syslog_events and hardware_events. */
export function registerBuiltinSubscribers(runtime: EventRuntime, deps: BuiltinSubscriberDeps): void {
  runtime.registerSubscriber(new FileEventsSubscriber({ readMax: flagInteger(deps.flags, 'read_max', 52428800) }));
  runtime.registerSubscriber(new ProcessEventsSubscriber({ flags: deps.flags }));
  runtime.registerSubscriber(new UserEventsSubscriber({ flags: deps.flags }));
  runtime.registerSubscriber(new SocketEventsSubscriber({ flags: deps.flags }));
  runtime.registerSubscriber(new ProcessFileEventsSubscriber({ flags: deps.flags }));
  runtime.registerSubscriber(new SeccompEventsSubscriber({ flags: deps.flags }));
  runtime.registerSubscriber(new SelinuxEventsSubscriber({ flags: deps.flags }));
  runtime.registerSubscriber(new ApparmorEventsSubscriber({ flags: deps.flags }));
  runtime.registerSubscriber(new YaraEventsSubscriber(deps.yaraScanner ? { scanner: deps.yaraScanner } : {}));
  runtime.registerSubscriber(new SyslogEventsSubscriber());
  runtime.registerSubscriber(new HardwareEventsSubscriber({ flags: deps.flags }));
}
