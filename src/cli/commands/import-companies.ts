import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCompaniesCsv } from '../../workflows/companies-csv.js';
import { formatMarketplaceId, formatMarketplaceIds } from '../../workflows/marketplace-ids.js';
import { CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { renderTable, writeJson } from '../output.js';
import { type CommandEnv, note } from './shared.js';
import writeFileAtomic from 'write-file-atomic';

/** Options of `import-companies`. */
export interface ImportCompaniesOptions {
  /** Write the companies as JSON to this file (what `reconcile`/`renewals --companies` and your code can read). */
  output?: string | undefined;
  /** Column of the marketplace ids (default marketplace_ids). */
  idsColumn?: string | undefined;
  /** Column of the company name (default name, company or company_name). */
  nameColumn?: string | undefined;
}

/**
 * `import-companies <file>`: reads the companies CSV (a name column and `marketplace_ids` such as
 * `PAX8:<uuid>;SHERWEB:<id>`), reports every bad row with its line, says which companies have a marketplace
 * without a configured client, and writes the good ones as JSON (`--output`). Reads no vendor.
 */
export async function importCompaniesCommand(
  env: Pick<CommandEnv, 'io' | 'global'> & Partial<Pick<CommandEnv, 'ctx'>>,
  file: string,
  options: ImportCompaniesOptions,
): Promise<ExitCode> {
  let text: string;
  const path = resolve(env.io.cwd ?? process.cwd(), file);
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const result = parseCompaniesCsv(text, { idsColumn: options.idsColumn, nameColumn: options.nameColumn });
  const configured = env.ctx?.marketplaces;
  const rows = result.companies.map((c) => ({
    name: c.name,
    id: c.id ?? null,
    marketplaceIds: formatMarketplaceIds(c.marketplaceIds),
    unconfigured: configured
      ? c.marketplaceIds.filter((m) => !configured.has(m.provider)).map(formatMarketplaceId)
      : [],
  }));
  if (options.output) {
    const out = resolve(env.io.cwd ?? process.cwd(), options.output);
    writeFileAtomic.sync(
      out,
      `${JSON.stringify(
        result.companies.map((c) => ({
          name: c.name,
          id: c.id ?? null,
          marketplaceIds: formatMarketplaceIds(c.marketplaceIds),
        })),
        null,
        2,
      )}\n`,
    );
    note(env, `wrote ${result.companies.length} companies to ${out}`);
  }
  if (env.global.json) {
    writeJson(env.io.stdout, { companies: rows, errors: result.errors });
  } else {
    env.io.stdout.write(
      renderTable(rows, [
        { header: 'name', value: (r) => r.name },
        { header: 'id', value: (r) => r.id },
        { header: 'marketplace ids', value: (r) => r.marketplaceIds },
        { header: 'not configured', value: (r) => r.unconfigured.join(' ') },
      ]),
    );
    for (const e of result.errors) env.io.stdout.write(`line ${e.line}: skipped: ${e.reason}\n`);
    env.io.stdout.write(
      `${result.companies.length} compan${result.companies.length === 1 ? 'y' : 'ies'} read, ${result.errors.length} row(s) refused\n`,
    );
  }
  if (result.errors.length === 0) return EXIT.ok;
  return result.companies.length ? EXIT.partial : EXIT.usage;
}
