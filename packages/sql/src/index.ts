export * from './table.js';
export { Engine, StatementError, ResultTooLargeError, SQLITE_TOOBIG } from './engine.js';
export type { EngineOptions, QueryResult, QueryOptions, ColumnInfo, StatementInfo } from './engine.js';
export { schemaOf, columnDefinition } from './schema.js';
export { isCompleteSql, scanCompletion, type CompletionScan } from './complete.js';
export { formatDouble } from './format-double.js';
export { querySqliteFile, isSqliteFile, SqliteFileError, type SqliteFileResult } from './sqlite-file.js';
