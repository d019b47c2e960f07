export { YaraEventsSubscriber, type YaraEventsOptions, type YaraFileScanner, type YaraFileScanResult, type YaraGroupRules } from './yara-events-subscriber.js';
export { YARA_EVENTS_COLUMNS, YARA_EVENTS_DESCRIPTION, yaraEventsTable } from './yara-events-table.js';
