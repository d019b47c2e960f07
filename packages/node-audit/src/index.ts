export * from './constants.js';
export { processIsRunning } from './audit-pid-holder.js';
export { AuditClient, releaseAuditPidIfOwned, type AuditClientOptions, type OpenReaderOptions } from './client.js';
export { AuditError, errnoName } from './errors.js';
export {
  decodeAuditDatagram, decodeNetlinkError, decodeNetlinkMessages, encodeNetlinkMessage, netlinkAlign, payloadText,
  type NetlinkDecodeResult, type NetlinkErrorPayload, type NetlinkMessage,
} from './netlink.js';
export { AuditReader, type AuditListenMode, type AuditMessage, type AuditReaderOptions, type AuditReaderStats } from './reader.js';
export { isUserMessageType, knownRecordTypes, recordTypeName, recordTypeNumber } from './record-types.js';
export {
  auditPermLetters, auditPermValue, decodeRule, encodeRule, formatRule, msgtypeValue, sameRule, syscallRule, watchRule,
  AUDIT_RULE_DATA_SIZE,
  type AuditRule, type AuditRuleAction, type AuditRuleField, type AuditRuleList, type AuditRuleOperator, type RuleDecodeResult,
} from './rules.js';
export { AuditSocket, type AuditSocketOptions } from './socket.js';
export { decodeStatus, encodeStatusChange, AUDIT_STATUS_SIZE, type AuditStatus, type AuditStatusChange } from './status.js';
export { auditArchValue, hostAuditArch, syscallName, syscallNumber, syscallTable, type AuditArchName } from './syscalls.js';
export {
  AuditRecordParser, decodeAuditBytes, decodeAuditString, execveArguments, hexToBytes, parseAuditRecord,
  type AuditParseResult, type AuditRecord, type ExecveArgumentsResult,
} from './record.js';
