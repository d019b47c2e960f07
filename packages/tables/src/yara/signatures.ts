/**
 * Which rules a yara / yara_process query asked for: `sig_group` (a config group), `sigfile` (a rule file; relative
 * paths resolve under the YARA home), `sigrule` (rule text inline) or `sigurl` (HTTPS, allow-listed). Each value
 * becomes one RequestedSignature; a target gets one row per signature, as osquery.
 */
import { isAbsolute, join } from 'node:path';
import { QueryError, type QueryContext } from '@quarry/sql';
import type { RuleSource } from './libyara.js';
import type { YaraSection } from './yara-config.js';
import { MAX_SIGNATURE_BYTES, fetchTextSync, sigurlRefusal } from './signature-url.js';

export type SignatureColumn = 'sig_group' | 'sigfile' | 'sigrule' | 'sigurl';

export interface RequestedSignature {
  column: SignatureColumn;
  /** The value as the user wrote it (goes back into the row's column). */
  value: string;
  /** Cache key of the compiled set. */
  key: string;
  sources: RuleSource[];
  /** Set once compiled: what the sources looked like (scan workers compare it instead of re-reading the files). */
  fingerprint?: string;
}

export interface SignatureEnvironment {
  yara: YaraSection;
  /** Where relative sigfile paths resolve (osquery's OSQUERY_HOME/yara). */
  yaraHome: string;
  /** PEM text of extra CA certificates for sigurl. */
  sigurlCa?: string;
  sigurlTimeoutMs: number;
}

export const MISSING_SIGNATURE_MESSAGE =
  'Query must specify sig_group, sigfile, sigrule, or sigurl for scan (e.g. WHERE path = \'/bin/ls\' AND sigfile = \'/etc/osquery/yara/rules.yar\')';

function textValues(context: QueryContext, column: SignatureColumn): string[] {
  const values: string[] = [];
  for (const value of context.equals(column)) {
    if (value === null || value === undefined || value instanceof Uint8Array) continue;
    const text = String(value);
    if (text.length > 0 && !values.includes(text)) values.push(text);
  }
  return values;
}

/** The signatures named by the query's constraints. Throws QueryError naming what is wrong. */
export function requestedSignatures(context: QueryContext, env: SignatureEnvironment): RequestedSignature[] {
  const out: RequestedSignature[] = [];
  for (const group of textValues(context, 'sig_group')) {
    const files = env.yara.signatures[group];
    if (!files) {
      const known = Object.keys(env.yara.signatures);
      throw new QueryError(
        `sig_group '${group}' is not defined in the config's yara.signatures (${known.length > 0 ? `defined groups: ${known.join(', ')}` : 'no groups are defined'})`,
      );
    }
    if (files.length === 0) throw new QueryError(`sig_group '${group}' lists no rule files in yara.signatures`);
    out.push({ column: 'sig_group', value: group, key: `group:${group}:${files.join('\0')}`, sources: files.map((path) => ({ kind: 'file', path })) });
  }
  for (const file of textValues(context, 'sigfile')) {
    const path = isAbsolute(file) ? file : join(env.yaraHome, file);
    out.push({ column: 'sigfile', value: file, key: `file:${path}`, sources: [{ kind: 'file', path }] });
  }
  for (const rule of textValues(context, 'sigrule')) {
    out.push({ column: 'sigrule', value: rule, key: `rule:${rule}`, sources: [{ kind: 'text', text: rule, name: 'sigrule' }] });
  }
  for (const url of textValues(context, 'sigurl')) {
    const refusal = sigurlRefusal(url, env.yara.signature_urls);
    if (refusal) throw new QueryError(refusal);
    let text: string;
    try {
      text = fetchTextSync({ url, timeoutMs: env.sigurlTimeoutMs, maxBytes: MAX_SIGNATURE_BYTES, ...(env.sigurlCa ? { ca: env.sigurlCa } : {}) });
    } catch (error) {
      throw new QueryError(`Failed to get YARA rule url: ${(error as Error).message}`);
    }
    out.push({ column: 'sigurl', value: url, key: `url:${url}`, sources: [{ kind: 'text', text, name: url }] });
  }
  if (out.length === 0) throw new QueryError(MISSING_SIGNATURE_MESSAGE);
  return out;
}
