/**
 * The part every audit table's subscriber shares: it subscribes to the audit publisher and runs only while its own
 * `--audit_allow_*` flag is true (osquery gates each audit table by one flag). Subclasses give the flag and its
 * default, and their table, subscriptions and rows.
 */
import type { EventRingApi } from '@quarry/buffers';
import {
  AUDIT_PUBLISHER_TYPE, EventSubscriber, SubscriberDisabledError, flagBoolean,
  type AuditEventContext, type AuditSubscription, type FlagSource,
} from '@quarry/events';

/** Options of a flag-gated audit subscriber: the flags, or `allowed` to decide without them (tests). */
export interface AuditSubscriberOptions {
  flags?: FlagSource;
  allowed?: boolean;
}

export abstract class FlagGatedAuditSubscriber extends EventSubscriber<AuditSubscription, AuditEventContext, EventRingApi> {
  readonly publisherType = AUDIT_PUBLISHER_TYPE;
  private readonly allowed: boolean;

  protected constructor(
    private readonly allowFlag: string,
    allowedByDefault: boolean,
    options: AuditSubscriberOptions,
  ) {
    super();
    this.allowed = options.allowed ?? (options.flags ? flagBoolean(options.flags, allowFlag, allowedByDefault) : allowedByDefault);
  }

  override async init(): Promise<void> {
    if (!this.allowed) throw new SubscriberDisabledError(`--${this.allowFlag}=false`);
  }
}
