import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { parse } from 'csv-parse/sync';
import { ValidationError } from '../core/errors.js';
import { type MarketplaceId, formatMarketplaceId, parseMarketplaceIds } from './marketplace-ids.js';

/** An end-client company of the MSP and the marketplace customers it is mapped to. */
export interface Company {
  /** The company's name (from the `name` column). */
  name: string;
  /** The MSP's own id for the company, when the CSV has an `id` column. */
  id?: string | undefined;
  /** The marketplace customers of this company, in the order written. */
  marketplaceIds: MarketplaceId[];
  /** Every column of the row (header names lower-cased and trimmed), for the caller's own fields. */
  columns?: Record<string, string> | undefined;
}

/** A row of the CSV that was not imported, and why. */
export interface CsvRowError {
  /** The 1-based line the row starts on (the header is line 1). */
  line: number;
  /** Why the row was refused. */
  reason: string;
  /** The row's cells by column, when the row could be read at all. */
  row?: Record<string, string> | undefined;
}

/** The result of {@link parseCompaniesCsv}: the good rows, and every bad one with its line. */
export interface CompaniesCsvResult {
  companies: Company[];
  errors: CsvRowError[];
}

/** Options of {@link parseCompaniesCsv}. */
export interface CompaniesCsvOptions {
  /** The column with the company's name (default: the first of `name`, `company`, `company_name`). */
  nameColumn?: string | undefined;
  /** The column with the marketplace ids (default `marketplace_ids`). */
  idsColumn?: string | undefined;
  /** The column with the MSP's own company id (default: `id` when present). */
  idColumn?: string | undefined;
  /** Accept rows without any marketplace id (default false: such a row is reported). */
  allowNoIds?: boolean | undefined;
  /** Field delimiter (default `,`). */
  delimiter?: string | undefined;
}

const CSV_OPTION_KEYS = knownKeys<CompaniesCsvOptions>('parseCompaniesCsv options', {
  nameColumn: true,
  idsColumn: true,
  idColumn: true,
  allowNoIds: true,
  delimiter: true,
});

const NAME_COLUMNS = ['name', 'company', 'company_name'];

function normalizeHeader(h: string): string {
  return h.trim().toLowerCase().replace(/\s+/g, '_');
}

interface ParsedRow {
  record: string[];
  info: { lines: number };
  raw: string;
}

/** The line a record starts on, from the line it ends on and its raw text. */
function startLine(endLine: number, raw: string): number {
  const body = raw.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '');
  return endLine - (body.match(/\n/g)?.length ?? 0);
}

/**
 * Reads companies from CSV text with a header row: a name column, a `marketplace_ids` column holding one or
 * more ids (`PAX8:<uuid>;SHERWEB:123`, or separated by `,` inside quotes, or by whitespace) and any other
 * columns. Uses a real CSV parser (quotes, escaped quotes, multi-line cells, BOM, CRLF). Every bad row is
 * reported in `errors` with its line number and reason; the good rows are kept. The same marketplace id on
 * two companies is reported on the later row. Throws {@link ValidationError} only when the header itself is
 * unusable (no name or ids column).
 */
export function parseCompaniesCsv(text: string | Uint8Array, options: CompaniesCsvOptions = {}): CompaniesCsvResult {
  rejectUnknownKeys(options, CSV_OPTION_KEYS, { path: 'options', operation: 'parseCompaniesCsv' });
  const source = typeof text === 'string' ? text : new TextDecoder().decode(text);
  const errors: CsvRowError[] = [];
  const rows = parse(source, {
    bom: true,
    delimiter: options.delimiter ?? ',',
    record_delimiter: ['\r\n', '\n', '\r'],
    info: true,
    raw: true,
    trim: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: { message: string; lines?: number } | undefined) => {
      if (!err) return;
      errors.push({ line: err.lines ?? 0, reason: `unreadable CSV: ${err.message}` });
    },
  }) as unknown as ParsedRow[];
  const header = (rows[0]?.record ?? []).map(normalizeHeader);

  const idsColumn = normalizeHeader(options.idsColumn ?? 'marketplace_ids');
  const nameColumn = options.nameColumn
    ? normalizeHeader(options.nameColumn)
    : NAME_COLUMNS.find((c) => header.includes(c));
  const idColumn = options.idColumn ? normalizeHeader(options.idColumn) : header.includes('id') ? 'id' : undefined;
  const missing = [
    !header.includes(idsColumn) ? idsColumn : undefined,
    !nameColumn || !header.includes(nameColumn) ? (nameColumn ?? NAME_COLUMNS.join(' or ')) : undefined,
  ].filter((x): x is string => x !== undefined);
  if (header.length > 0 && missing.length) {
    throw new ValidationError(
      `The CSV header has no ${missing.join(' and no ')} column (found: ${header.join(', ')})`,
      [...missing.map((m) => ({ path: `columns.${m}`, message: 'missing from the header row' }))],
    );
  }

  const companies: Company[] = [];
  const owner = new Map<string, number>();
  for (const { record: cells, info, raw } of rows.slice(1)) {
    const line = startLine(info.lines, raw);
    const record = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    const bad = (reason: string) => errors.push({ line, reason, row: record });
    if (cells.length !== header.length) {
      bad(`expected ${header.length} cells, found ${cells.length}`);
      continue;
    }
    const name = (record[nameColumn ?? ''] ?? '').trim();
    if (!name) {
      bad(`the ${nameColumn} cell is empty`);
      continue;
    }
    let ids: MarketplaceId[];
    try {
      ids = parseMarketplaceIds(record[idsColumn] ?? '');
    } catch (error) {
      bad(error instanceof ValidationError ? error.issues.map((i) => i.message).join('; ') : String(error));
      continue;
    }
    if (ids.length === 0 && !options.allowNoIds) {
      bad(`the ${idsColumn} cell has no marketplace id`);
      continue;
    }
    const taken = ids.map(formatMarketplaceId).find((k) => owner.has(k));
    if (taken) {
      bad(`${taken} is already mapped to the company on line ${owner.get(taken)}`);
      continue;
    }
    for (const id of ids) owner.set(formatMarketplaceId(id), line);
    const id = idColumn ? record[idColumn]?.trim() || undefined : undefined;
    companies.push({ name, id, marketplaceIds: ids, columns: record });
  }
  errors.sort((a, b) => a.line - b.line);
  return { companies, errors };
}
