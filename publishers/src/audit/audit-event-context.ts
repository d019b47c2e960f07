/** The audit event contract lives in @quarry/events (audit-events-contract.ts), shared with the subscribers. */
export {
  AUDIT_PUBLISHER_TYPE,
  type AuditEventContext,
  type AuditEventKind,
  type AuditEventRecord,
  type AuditSubscription,
} from '@quarry/events';
