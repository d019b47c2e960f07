/**
 * quarryd's status log: glog-style lines on stderr as osqueryd writes them
 * (`I1127 22:30:00.123456 1234 scheduler.ts] message`), severity 0 INFO, 1 WARNING, 2 ERROR.
 * It satisfies the events runtime's logger interface (pino-like: (obj|msg, msg?)).
 */
import { glogLine, type GlogSeverity } from '@quarry/events/glog';

export type Severity = 0 | 1 | 2;
const GLOG_SEVERITIES: readonly GlogSeverity[] = ['I', 'W', 'E'];

export class StatusLog {
  constructor(
    private readonly minSeverity: number,
    private readonly verbose: boolean,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {}

  private emit(severity: Severity | -1, source: string, text: string): void {
    if (severity === -1 && !this.verbose) return;
    const level = Math.max(severity, 0);
    if (level < this.minSeverity) return;
    this.write(glogLine(GLOG_SEVERITIES[level] ?? 'I', source, text));
  }

  info(text: string, source = 'quarryd'): void {
    this.emit(0, source, text);
  }
  warning(text: string, source = 'quarryd'): void {
    this.emit(1, source, text);
  }
  error(text: string, source = 'quarryd'): void {
    this.emit(2, source, text);
  }
  verboseInfo(text: string, source = 'quarryd'): void {
    this.emit(-1, source, text);
  }

  /** The pino-shaped logger the events runtime and publishers take. */
  eventLogger(): {
    debug(o: object | string, m?: string): void;
    info(o: object | string, m?: string): void;
    warn(o: object | string, m?: string): void;
    error(o: object | string, m?: string): void;
  } {
    const text = (o: object | string, m?: string): string => {
      if (typeof o === 'string') return o;
      const extra = Object.keys(o).length > 0 ? ` ${JSON.stringify(o)}` : '';
      return `${m ?? ''}${extra}`;
    };
    return {
      debug: (o, m) => this.verboseInfo(text(o, m), 'events'),
      info: (o, m) => this.info(text(o, m), 'events'),
      warn: (o, m) => this.warning(text(o, m), 'events'),
      error: (o, m) => this.error(text(o, m), 'events'),
    };
  }
}
