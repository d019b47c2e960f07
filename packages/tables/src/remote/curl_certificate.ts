/**
 * curl_certificate: the TLS certificate a host presents (hostname = host[:port], port 443 by default). The handshake
 * runs on the network worker; the certificate is read, not verified (self-signed and expired ones are reported).
 * Hidden columns: dump_certificate = 1 fills pem; timeout = seconds (default 4; 0 = osquery's "none", bounded here
 * by 60 s so a query never hangs). A host that cannot be reached gives a warning and no row.
 */
import { isIP } from 'node:net';
import type { ColumnDefinition, QueryContext, Row, TableDefinition } from '@quarry/sql';
import { certificateColumns } from './certificate-fields.js';
import { runRemoteJobsSync, type TlsCertificateJob } from './sync-http.js';

export const DEFAULT_CERTIFICATE_TIMEOUT_SECONDS = 4;
const UNBOUNDED_TIMEOUT_SECONDS = 60;

const text = (name: string, extra: Partial<ColumnDefinition> = {}): ColumnDefinition => ({ name, type: 'TEXT', ...extra });

export const CURL_CERTIFICATE_COLUMNS: readonly ColumnDefinition[] = [
  text('hostname', { required: true, optimized: true, description: 'Hostname to CURL (domain[:port], e.g. osquery.io)' }),
  text('common_name'), text('organization'), text('organization_unit'),
  text('serial_number', { collate: 'nocase' }),
  text('issuer_common_name'), text('issuer_organization'), text('issuer_organization_unit'),
  text('valid_from'), text('valid_to'),
  text('sha256_fingerprint', { collate: 'nocase' }), text('sha1_fingerprint', { collate: 'nocase' }),
  { name: 'version', type: 'INTEGER' },
  text('signature_algorithm'), text('signature'),
  text('subject_key_identifier', { collate: 'nocase' }), text('authority_key_identifier', { collate: 'nocase' }),
  text('key_usage'), text('extended_key_usage'), text('policies'),
  text('subject_alternative_names'), text('issuer_alternative_names'),
  text('info_access'), text('subject_info_access'), text('policy_mappings'),
  { name: 'has_expired', type: 'INTEGER' },
  text('basic_constraint'), text('name_constraints'), text('policy_constraints'),
  { name: 'dump_certificate', type: 'INTEGER', additional: true, hidden: true },
  { name: 'timeout', type: 'INTEGER', additional: true, hidden: true },
  text('pem'),
];

/** host[:port] (or [v6]:port) → where to connect; undefined when the text is not a host name. */
export function splitHostname(hostname: string): { host: string; port: number } | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(hostname);
  const [host, portText] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : hostname.includes(':') && isIP(hostname) !== 6
      ? [hostname.slice(0, hostname.lastIndexOf(':')), hostname.slice(hostname.lastIndexOf(':') + 1)]
      : [hostname, undefined];
  const port = portText === undefined || portText === '' ? 443 : Number(portText);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function* certificates(context: QueryContext): Generator<Row> {
  const hostnames = [...new Set(context.equals('hostname').filter((value) => value !== null).map(String))];
  const dump = context.equals('dump_certificate').some((value) => Number(value) === 1) ? 1 : 0;
  let timeout = DEFAULT_CERTIFICATE_TIMEOUT_SECONDS;
  const asked = context.equals('timeout')[0];
  if (asked !== undefined && asked !== null) {
    const number = Number(asked);
    if (Number.isInteger(number) && number >= 0) timeout = number;
    else context.session.warn(`curl_certificate: ignoring out of range timeout: ${String(asked)}; using ${DEFAULT_CERTIFICATE_TIMEOUT_SECONDS}`);
  }
  const targets: { hostname: string; job: TlsCertificateJob }[] = [];
  for (const hostname of hostnames) {
    const split = splitHostname(hostname);
    if (!split) {
      context.session.warn(`curl_certificate: '${hostname}' is not host[:port]; use e.g. 'example.com' or 'example.com:8443'`);
      continue;
    }
    const timeoutMs = (timeout === 0 ? UNBOUNDED_TIMEOUT_SECONDS : timeout) * 1000;
    targets.push({
      hostname,
      job: { kind: 'tls-certificate', host: split.host, port: split.port, timeoutMs, ...(isIP(split.host) ? {} : { servername: split.host }) },
    });
  }
  const results = runRemoteJobsSync(targets.map((target) => target.job));
  for (let index = 0; index < targets.length; index++) {
    const { hostname } = targets[index]!;
    const result = results[index]!;
    if (!result.ok) {
      context.session.warn(`curl_certificate: cannot get the certificate of ${hostname}: ${result.error}`);
      continue;
    }
    try {
      yield { hostname, ...certificateColumns(result.der, dump === 1), dump_certificate: dump, timeout };
    } catch (error) {
      context.session.warn(`curl_certificate: the certificate of ${hostname} could not be read: ${(error as Error).message}`);
    }
  }
}

export function curlCertificateTable(): TableDefinition {
  return {
    name: 'curl_certificate',
    description: 'Inspect TLS certificates by connecting to input hostnames.',
    columns: CURL_CERTIFICATE_COLUMNS,
    generate: certificates,
  };
}
