import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCompaniesCsv } from '../../workflows/companies-csv.js';
import type { CompanyRef } from '../../workflows/registry.js';
import { type RenewalEntry, renewalCalendar } from '../../workflows/renewals.js';
import { CliUsageError, EXIT, type ExitCode, errorJson } from '../errors.js';
import { renderTable, writeJson } from '../output.js';
import { companyOf, progress, writeCsvFile } from './reconcile.js';
import { type CommandEnv, note } from './shared.js';

/** Options of `renewals`. */
export interface RenewalsCommandOptions {
  /** A companies CSV (name, marketplace_ids): every company in it. */
  companies?: string | undefined;
  /** Only term ends within this many days. */
  within?: string | undefined;
  csv?: string | undefined;
}

const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : null);

function rowOf(e: RenewalEntry): Record<string, unknown> {
  return {
    termEnd: day(e.termEnd),
    daysLeft: e.daysLeft,
    company: e.company,
    provider: e.provider,
    customerId: e.customerId,
    subscriptionId: e.subscriptionId,
    name: e.name,
    status: e.status,
    seats: e.seats,
    billingTerm: e.billingTerm,
    commitmentTerm: e.commitmentTerm,
    autoRenew: e.autoRenew,
    canSetAutoRenew: e.canSetAutoRenew,
    window: e.window.state,
    windowOpenUntil: day(e.window.openUntil),
    decreaseAllowedFrom: day(e.window.earliest),
    flagged: e.problems.length > 0,
  };
}

/** The companies of `--companies <csv>` or `--company`. */
function companiesOf(env: CommandEnv, file: string | undefined): CompanyRef[] {
  if (!file) return [companyOf(env)];
  const text = readFileSync(resolve(env.io.cwd ?? process.cwd(), file), 'utf8');
  const parsed = parseCompaniesCsv(text);
  for (const e of parsed.errors) note(env, `${file}:${e.line}: skipped: ${e.reason}`);
  if (parsed.companies.length === 0) throw new CliUsageError(`${file} has no usable company`);
  return parsed.companies;
}

/** `renewals`: every subscription's term end, auto-renew and decrease window, sorted by date. */
export async function renewalsCommand(env: CommandEnv, options: RenewalsCommandOptions): Promise<ExitCode> {
  const within = options.within === undefined ? undefined : Number(options.within);
  if (within !== undefined && !(Number.isInteger(within) && within >= 0)) {
    throw new CliUsageError('--within must be a whole number of days');
  }
  const companies = companiesOf(env, options.companies);
  const say = progress(env);
  const cal = await renewalCalendar({
    marketplaces: env.ctx.marketplaces,
    companies,
    withinDays: within,
    onProgress: (e) => {
      if (companies.length > 1) say(`… ${e.done}/${e.total} companies`);
    },
  });
  const rows = cal.entries.map(rowOf);
  if (options.csv) note(env, `wrote ${writeCsvFile(env.io, options.csv, rows)}`);
  if (env.global.json) {
    writeJson(env.io.stdout, {
      at: cal.at,
      entries: cal.entries,
      failures: cal.failures.map((f) => ({ ...f, error: errorJson(f.error) })),
    });
  } else {
    env.io.stdout.write(
      renderTable(rows, [
        { header: 'term end', value: (r) => r.termEnd },
        { header: 'days', value: (r) => r.daysLeft, align: 'right' },
        ...(companies.length > 1 ? [{ header: 'company', value: (r: Record<string, unknown>) => r.company }] : []),
        { header: 'provider', value: (r) => r.provider },
        { header: 'subscription', value: (r) => r.subscriptionId },
        { header: 'name', value: (r) => r.name },
        { header: 'seats', value: (r) => r.seats, align: 'right' },
        { header: 'commitment', value: (r) => r.commitmentTerm ?? 'none' },
        { header: 'auto-renew', value: (r) => (r.autoRenew === null ? 'unknown' : r.autoRenew) },
        {
          header: 'decrease',
          value: (r) =>
            r.window === 'open'
              ? `open${r.windowOpenUntil ? ` until ${r.windowOpenUntil}` : ''}`
              : `${r.window}, from ${r.decreaseAllowedFrom ?? '?'}`,
        },
      ]),
    );
    for (const f of cal.failures) {
      env.io.stdout.write(`FAILED: ${f.company ?? ''} ${f.provider} ${f.customerId}: ${(f.error as Error).message}\n`);
    }
  }
  return cal.failures.length ? EXIT.partial : EXIT.ok;
}
