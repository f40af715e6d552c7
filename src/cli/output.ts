import writeFileAtomic from 'write-file-atomic';
import type { CliWritable } from './io.js';

/** A column of a table: its header and how to get the cell text from a row. */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Right-align (numbers). */
  align?: 'left' | 'right' | undefined;
}

function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  // One line per row: control characters from vendor data cannot break the table (or the terminal).
  return String(v).replace(/[\p{Cc}]+/gu, ' ');
}

/** Renders rows as a plain-text table with a header line; an empty list renders as `(none)`. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((r) => columns.map((c) => cell(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n')}\n`;
}

/** Renders `key: value` lines, keys aligned. */
export function renderFields(fields: readonly [string, unknown][]): string {
  const width = Math.max(...fields.map(([k]) => k.length));
  return `${fields.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${cell(v)}`).join('\n')}\n`;
}

/** Drops `raw` (the vendor payload) from an object unless asked to keep it. */
export function withoutRaw<T extends object>(value: T, keepRaw: boolean | undefined): T | Omit<T, 'raw'> {
  if (keepRaw || !('raw' in value)) return value;
  const { raw: _raw, ...rest } = value as T & { raw: unknown };
  return rest;
}

/** Writes a value as pretty JSON and a newline. */
export function writeJson(out: CliWritable, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes an output file (`-o <file>`) atomically: a temporary file beside it, renamed over it once complete, so an
 * interrupted run leaves the previous file intact (write-file-atomic). `mode` applies to the new file.
 */
export async function writeOutputFile(path: string, text: string, options: { mode?: number } = {}): Promise<void> {
  await writeFileAtomic(path, text, options.mode === undefined ? {} : { mode: options.mode });
}
