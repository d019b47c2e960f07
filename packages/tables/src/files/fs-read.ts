/**
 * Small synchronous readers shared by the host tables. A missing or unreadable source is "no data"
 * (null / empty list), never an exception: osquery tables return no rows rather than fail.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/** The file's text, or null when it is missing or unreadable. */
export function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The file's lines (without line ends); empty when missing. */
export function readLines(path: string): string[] {
  const text = readTextOrNull(path);
  if (text === null) return [];
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** A sysfs/procfs attribute, trimmed; null when missing or unreadable. */
export function readAttribute(dir: string, name: string): string | null {
  const text = readTextOrNull(join(dir, name));
  return text === null ? null : text.trim();
}

/** Entry names of a directory, sorted; empty when missing or unreadable. */
export function listDirectory(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}

export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

export function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

export function readlinkOrNull(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

export function isDirectory(path: string): boolean {
  return statOrNull(path)?.isDirectory() ?? false;
}

export function isRegularFile(path: string): boolean {
  return statOrNull(path)?.isFile() ?? false;
}

/** Text before a '#' comment, trimmed. */
export function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return (hash >= 0 ? line.slice(0, hash) : line).trim();
}

/** Splits on runs of spaces and tabs, dropping empty fields. */
export function splitFields(text: string): string[] {
  return text.split(/[ \t]+/).filter((field) => field.length > 0);
}

/** A services(5)/protocols(5) line: its whitespace fields before '#', and the comment after it. */
export function fieldsAndComment(line: string): { fields: string[]; comment: string } {
  const hash = line.indexOf('#');
  const body = hash >= 0 ? line.slice(0, hash) : line;
  return { fields: splitFields(body.trim()), comment: hash >= 0 ? line.slice(hash + 1).trim() : '' };
}
