/** Renders one statement's result in the session's current output mode. */
import type { ShellSettings } from '../settings.js';
import { renderJson, renderJsonPretty } from './json.js';
import { renderPretty } from './pretty.js';
import type { TextResult } from './result.js';
import { renderColumn, renderCsv, renderLine, renderList } from './sqlite-modes.js';

export type { TextResult } from './result.js';

export function renderResult(result: TextResult, settings: ShellSettings): string {
  const sqliteSettings = {
    headers: settings.headers,
    separator: settings.separator,
    nullText: settings.nullvalue,
    widths: settings.widths,
  };
  switch (settings.mode) {
    case 'pretty':
      return renderPretty(result, settings.nullFlag);
    case 'json':
      return renderJson(result, settings.nullFlag);
    case 'json_pretty':
      return renderJsonPretty(result, settings.nullFlag);
    case 'line':
      return renderLine(result, sqliteSettings);
    case 'list':
      return renderList(result, sqliteSettings);
    case 'csv':
      return renderCsv(result, sqliteSettings);
    case 'column':
      return renderColumn(result, sqliteSettings);
  }
}
