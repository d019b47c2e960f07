/**
 * The structs of osquery.thrift (../osquery.thrift) and how they are read and written with the `thrift` package's
 * protocol objects. Field ids and types are osquery's, so the official SDKs' generated code reads what we write.
 */
import thrift from 'thrift';

export type TProtocol = thrift.TProtocol;

/** Thrift's wire type ids (binary protocol). */
export const T = { STOP: 0, BOOL: 2, I32: 8, I64: 10, STRING: 11, STRUCT: 12, MAP: 13, LIST: 15 } as const;

/** osquery's ExtensionCode. */
export const EXT_SUCCESS = 0;
export const EXT_FAILED = 1;

export interface ExtensionStatus {
  code: number;
  message: string;
  uuid: number;
}
export type PluginRequest = Record<string, string>;
export type PluginResponse = Record<string, string>[];
export interface ExtensionResponse {
  status: ExtensionStatus;
  response: PluginResponse;
}
export interface ExtensionInfo {
  name: string;
  version: string;
  sdk_version: string;
  min_sdk_version: string;
}
export interface OptionInfo {
  value: string;
  default_value: string;
  type: string;
}
/** registry name → plugin name → route info. */
export type ExtensionRegistry = Record<string, Record<string, PluginResponse>>;

/** A wire value that is not what osquery.thrift declares. */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

function expectType(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new WireFormatError(`${what}: expected Thrift type ${expected}, got ${actual}`);
}

/** Reads a struct field by field: `onField(id, type)` returns true when it consumed the value, else it is skipped. */
export function readStruct(input: TProtocol, onField: (id: number, type: number) => boolean): void {
  input.readStructBegin();
  for (;;) {
    const field = input.readFieldBegin();
    if (field.ftype === T.STOP) break;
    if (!onField(field.fid, field.ftype)) input.skip(field.ftype);
    input.readFieldEnd();
  }
  input.readStructEnd();
}

export function readI64(input: TProtocol): number {
  return input.readI64().toNumber();
}

export function readStringMap(input: TProtocol): Record<string, string> {
  const map = input.readMapBegin();
  expectType(map.ktype, T.STRING, 'map key');
  expectType(map.vtype, T.STRING, 'map value');
  if (map.size < 0) throw new WireFormatError('negative map size');
  const out: Record<string, string> = {};
  for (let i = 0; i < map.size; i++) {
    const key = input.readString();
    out[key] = input.readString();
  }
  input.readMapEnd();
  return out;
}

export function writeStringMap(output: TProtocol, map: Readonly<Record<string, string>>): void {
  const keys = Object.keys(map);
  output.writeMapBegin(T.STRING, T.STRING, keys.length);
  for (const key of keys) {
    output.writeString(key);
    output.writeString(map[key]!);
  }
  output.writeMapEnd();
}

export function readRows(input: TProtocol): PluginResponse {
  const list = input.readListBegin();
  expectType(list.etype, T.MAP, 'list element');
  if (list.size < 0) throw new WireFormatError('negative list size');
  const rows: PluginResponse = new Array(list.size);
  for (let i = 0; i < list.size; i++) rows[i] = readStringMap(input);
  input.readListEnd();
  return rows;
}

export function writeRows(output: TProtocol, rows: readonly Readonly<Record<string, string>>[]): void {
  output.writeListBegin(T.MAP, rows.length);
  for (const row of rows) writeStringMap(output, row);
  output.writeListEnd();
}

export function readStatus(input: TProtocol): ExtensionStatus {
  const status: ExtensionStatus = { code: 0, message: '', uuid: 0 };
  readStruct(input, (id, type) => {
    if (id === 1 && type === T.I32) status.code = input.readI32();
    else if (id === 2 && type === T.STRING) status.message = input.readString();
    else if (id === 3 && type === T.I64) status.uuid = readI64(input);
    else return false;
    return true;
  });
  return status;
}

export function writeStatus(output: TProtocol, status: ExtensionStatus): void {
  output.writeStructBegin('ExtensionStatus');
  output.writeFieldBegin('code', T.I32, 1);
  output.writeI32(status.code);
  output.writeFieldEnd();
  output.writeFieldBegin('message', T.STRING, 2);
  output.writeString(status.message);
  output.writeFieldEnd();
  output.writeFieldBegin('uuid', T.I64, 3);
  output.writeI64(status.uuid);
  output.writeFieldEnd();
  output.writeFieldStop();
  output.writeStructEnd();
}

export function readResponse(input: TProtocol): ExtensionResponse {
  const response: ExtensionResponse = { status: { code: 0, message: '', uuid: 0 }, response: [] };
  readStruct(input, (id, type) => {
    if (id === 1 && type === T.STRUCT) response.status = readStatus(input);
    else if (id === 2 && type === T.LIST) response.response = readRows(input);
    else return false;
    return true;
  });
  return response;
}

export function writeResponse(output: TProtocol, response: ExtensionResponse): void {
  output.writeStructBegin('ExtensionResponse');
  output.writeFieldBegin('status', T.STRUCT, 1);
  writeStatus(output, response.status);
  output.writeFieldEnd();
  output.writeFieldBegin('response', T.LIST, 2);
  writeRows(output, response.response);
  output.writeFieldEnd();
  output.writeFieldStop();
  output.writeStructEnd();
}

const INFO_FIELDS = ['name', 'version', 'sdk_version', 'min_sdk_version'] as const;

export function readInfo(input: TProtocol): ExtensionInfo {
  const info: ExtensionInfo = { name: '', version: '', sdk_version: '', min_sdk_version: '' };
  readStruct(input, (id, type) => {
    const key = INFO_FIELDS[id - 1];
    if (!key || type !== T.STRING) return false;
    info[key] = input.readString();
    return true;
  });
  return info;
}

export function writeInfo(output: TProtocol, info: ExtensionInfo): void {
  output.writeStructBegin('InternalExtensionInfo');
  INFO_FIELDS.forEach((key, i) => {
    output.writeFieldBegin(key, T.STRING, i + 1);
    output.writeString(info[key]);
    output.writeFieldEnd();
  });
  output.writeFieldStop();
  output.writeStructEnd();
}

export function writeOption(output: TProtocol, option: OptionInfo): void {
  output.writeStructBegin('InternalOptionInfo');
  (['value', 'default_value', 'type'] as const).forEach((key, i) => {
    output.writeFieldBegin(key, T.STRING, i + 1);
    output.writeString(option[key]);
    output.writeFieldEnd();
  });
  output.writeFieldStop();
  output.writeStructEnd();
}

/** map<registry, map<item, list<map<string,string>>>>, as registerExtension carries it. */
export function readRegistry(input: TProtocol): ExtensionRegistry {
  const outer = input.readMapBegin();
  expectType(outer.ktype, T.STRING, 'registry name');
  expectType(outer.vtype, T.MAP, 'registry routes');
  const registry: ExtensionRegistry = {};
  for (let i = 0; i < outer.size; i++) {
    const name = input.readString();
    const inner = input.readMapBegin();
    expectType(inner.ktype, T.STRING, 'plugin name');
    expectType(inner.vtype, T.LIST, 'plugin routes');
    const items: Record<string, PluginResponse> = {};
    for (let j = 0; j < inner.size; j++) {
      const item = input.readString();
      items[item] = readRows(input);
    }
    input.readMapEnd();
    registry[name] = items;
  }
  input.readMapEnd();
  return registry;
}

export function writeRegistry(output: TProtocol, registry: ExtensionRegistry): void {
  const names = Object.keys(registry);
  output.writeMapBegin(T.STRING, T.MAP, names.length);
  for (const name of names) {
    output.writeString(name);
    const items = registry[name]!;
    const keys = Object.keys(items);
    output.writeMapBegin(T.STRING, T.LIST, keys.length);
    for (const key of keys) {
      output.writeString(key);
      writeRows(output, items[key]!);
    }
    output.writeMapEnd();
  }
  output.writeMapEnd();
}
