import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { type GraphClient, createGraphClient } from '../../graph/client.js';
import type { CompanyRef } from '../../workflows/registry.js';
import { parseMarketplaceIds } from '../../workflows/marketplace-ids.js';
import { type CompanyReconciliation, formatMoneyTotals, reconcileLicenses } from '../../workflows/reconcile.js';
import { buildRightsizingPlan, executePlan } from '../../workflows/rightsizing.js';
import { marginOf } from '../../workflows/margin.js';
import { DEFAULT_ACTOR, type GlobalOptions } from '../context.js';
import { CliUsageError, EXIT, type ExitCode, errorJson } from '../errors.js';
import type { CliIo, ScrubbedCliIo } from '../io.js';
import { renderTable, writeJson } from '../output.js';
import { type CommandEnv, note } from './shared.js';
import writeFileAtomic from 'write-file-atomic';

/** Options of `reconcile`. */
export interface ReconcileCommandOptions {
  /** The company's Microsoft tenant for Graph (default: its MICROSOFT_PARTNER_CENTER id). */
  tenant?: string | undefined;
  /** `billing-period` or `month`: what the vendors' unit costs of annual subscriptions are per. */
  costPeriod?: string | undefined;
  /** Also build the rightsizing plan (every change dry-run). */
  plan?: boolean | undefined;
  /** Execute the plan's changes (needs --yes). */
  execute?: boolean | undefined;
  yes?: boolean | undefined;
  /** Write the per-subscription rows as CSV to this file. */
  csv?: string | undefined;
}

/** Writes rows as CSV (csv-stringify, header row) to `file`, relative to the CLI's working directory. */
export function writeCsvFile(io: CliIo, file: string, rows: readonly Record<string, unknown>[]): string {
  const path = resolve(io.cwd ?? process.cwd(), file);
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  const text = stringify(
    rows.map((r) => columns.map((c) => csvCell(r[c]))),
    { header: true, columns },
  );
  // Atomic (temp file + rename): an interrupted run never leaves last month's file half overwritten.
  writeFileAtomic.sync(path, text, { mode: 0o600 });
  return path;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  // A cell starting with = + - @ is a formula to spreadsheet programs: vendor text must not become one.
  return /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
}

/** The company of `--company` (all its marketplace ids). */
export function companyOf(env: CommandEnv): CompanyRef {
  if (!env.global.company) {
    throw new CliUsageError(
      'This command needs --company',
      'Example: --company "PAX8:<uuid>;MICROSOFT_PARTNER_CENTER:<tenant id>"',
    );
  }
  const ids = parseMarketplaceIds(env.global.company);
  if (ids.length === 0) throw new CliUsageError('--company is empty');
  return { marketplaceIds: ids };
}

/**
 * A Graph client for the company's tenant: the embedded fake with `--mock`, else GRAPH_CLIENT_ID and
 * GRAPH_CLIENT_SECRET (an app allowed in the customer's tenant, e.g. through GDAP). Undefined when not configured.
 */
export async function graphFor(
  env: CommandEnv,
  company: CompanyRef,
  tenant?: string,
): Promise<GraphClient | undefined> {
  const tenantId = tenant ?? company.marketplaceIds.find((m) => m.provider === 'partner-center')?.customerId;
  const common = { actor: DEFAULT_ACTOR, rateLimit: false as const };
  if (env.global.mock) {
    const { GRAPH_FAKE_CREDENTIALS } = await import('../../testing/graph/fake.js');
    return createGraphClient({
      ...common,
      credentials: { ...GRAPH_FAKE_CREDENTIALS, ...(tenantId ? { tenantId } : {}) },
    });
  }
  const clientId = env.io.env.GRAPH_CLIENT_ID;
  const clientSecret = env.io.env.GRAPH_CLIENT_SECRET;
  if (!clientId || !clientSecret) return undefined;
  if ('secrets' in env.io) {
    (env.io as ScrubbedCliIo).secrets.add(clientSecret);
    (env.io as ScrubbedCliIo).secrets.add(clientId);
  }
  if (!tenantId) {
    throw new CliUsageError(
      'Which Microsoft tenant? Graph needs the customer tenant id',
      'Add MICROSOFT_PARTNER_CENTER:<tenant id> to --company, or pass --tenant <tenant id>.',
    );
  }
  return createGraphClient({
    actor: DEFAULT_ACTOR,
    credentials: { tenantId, clientId, clientSecret },
    ...(env.io.env.GRAPH_BASE_URL ? { baseUrl: env.io.env.GRAPH_BASE_URL } : {}),
  });
}

/** A progress line on stderr for people (not with --quiet or --json). */
export function progress(env: CommandEnv): (text: string) => void {
  let last = '';
  return (text) => {
    if (text === last) return;
    last = text;
    note(env, text);
  };
}

const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : null);
const money = (m: { amount: number; currency: string | null } | null | undefined) =>
  m ? `${m.amount.toFixed(2)} ${m.currency ?? '?'}` : null;

/** The per-subscription rows of a reconciliation (tables and CSV). */
export function reconciliationRows(r: CompanyReconciliation): Record<string, unknown>[] {
  return r.licenses.flatMap((l) =>
    l.subscriptions.map((s) => {
      const rel = l.releases.filter((x) => x.provider === s.provider && x.subscriptionId === s.subscriptionId);
      return {
        license: l.label,
        graphSku: l.graph?.skuPartNumber ?? null,
        licenseBought: l.bought,
        licenseAssigned: l.assigned,
        licenseUnused: l.unused,
        provider: s.provider,
        customerId: s.customerId,
        subscriptionId: s.subscriptionId,
        name: s.name,
        status: s.status,
        seats: s.seats,
        billingTerm: s.billingTerm,
        commitmentTerm: s.commitmentTerm,
        termEnd: day(s.termEnd),
        autoRenew: s.autoRenew,
        unitCost: s.unitCost ? s.unitCost.amount : null,
        currency: s.unitCost?.currency ?? null,
        unitCostMonthly: s.unitCost?.monthly ?? null,
        costSource: s.unitCost?.source ?? null,
        window: s.window.state,
        decreaseAllowedFrom: day(s.window.earliest),
        releaseNow: rel.filter((x) => x.when === 'now').reduce((n, x) => n + x.seats, 0),
        releaseLater: rel.filter((x) => x.when !== 'now').reduce((n, x) => n + x.seats, 0),
        releaseAt: day(rel.find((x) => x.when !== 'now')?.at),
        unusedMonthlyCost: rel.reduce((n, x) => n + (x.monthlyCost?.amount ?? 0), 0) || null,
        flagged: s.problems.length > 0,
        joinedBy: s.joinedBy,
      };
    }),
  );
}

/** `reconcile`: bought vs assigned per license of one company, unused seats, their cost, when they can go. */
export async function reconcileCommand(env: CommandEnv, options: ReconcileCommandOptions): Promise<ExitCode> {
  const company = companyOf(env);
  if (options.costPeriod !== undefined && options.costPeriod !== 'billing-period' && options.costPeriod !== 'month') {
    throw new CliUsageError('--cost-period must be billing-period or month');
  }
  if (options.execute && !options.yes) {
    throw new CliUsageError(
      '--execute changes seats: confirm with --yes',
      'Run with --plan first to see the changes and their dry runs, then add --execute --yes.',
    );
  }
  const say = progress(env);
  const graph = await graphFor(env, company, options.tenant);
  if (!graph)
    note(env, 'note: no Graph credentials (GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET): assigned seats are unknown');
  const r = await reconcileLicenses({
    marketplaces: env.ctx.marketplaces,
    company,
    graph,
    costPeriod: options.costPeriod as 'billing-period' | 'month' | undefined,
    onProgress: (e) => say(`… ${e.step}: ${e.message} (${e.done}/${e.total})`),
  });
  const wantsPlan = options.plan || options.execute;
  const plan = wantsPlan
    ? await buildRightsizingPlan(r, { marketplaces: env.ctx.marketplaces, actor: DEFAULT_ACTOR })
    : null;
  const executed =
    plan && options.execute
      ? await executePlan(plan, { confirm: true, marketplaces: env.ctx.marketplaces, actor: DEFAULT_ACTOR })
      : null;
  if (options.csv) note(env, `wrote ${writeCsvFile(env.io, options.csv, reconciliationRows(r))}`);
  if (env.global.json) {
    const strip = (x: CompanyReconciliation) => ({
      ...x,
      licenses: x.licenses.map((l) => ({
        ...l,
        subscriptions: l.subscriptions.map(({ subscription, ...rest }) =>
          env.global.raw ? { ...rest, raw: subscription.raw } : rest,
        ),
      })),
      failures: x.failures.map((f) => ({ ...f, error: errorJson(f.error) })),
    });
    writeJson(env.io.stdout, {
      reconciliation: strip(r),
      margin: marginOf(r),
      ...(plan ? { plan } : {}),
      ...(executed ? { executed: executed.map((e) => ({ ...e, result: undefined })) } : {}),
    });
  } else {
    const out = env.io.stdout;
    out.write(
      renderTable(r.licenses, [
        { header: 'license', value: (l) => l.label },
        { header: 'graph sku', value: (l) => l.graph?.skuPartNumber },
        { header: 'bought', value: (l) => l.bought, align: 'right' },
        { header: 'assigned', value: (l) => l.assigned ?? '?', align: 'right' },
        { header: 'unused', value: (l) => l.unused ?? '?', align: 'right' },
        { header: 'now', value: (l) => l.releasableNow, align: 'right' },
        {
          header: 'unused/month',
          value: (l) => `${formatMoneyTotals(l.unusedMonthlyCost)}${l.costComplete ? '' : ' (+unknown)'}`,
        },
      ]),
    );
    const releases = r.licenses.flatMap((l) => l.releases.map((x) => ({ ...x, license: l.label })));
    if (releases.length) {
      out.write('\nWhen the unused seats can go:\n');
      out.write(
        renderTable(releases, [
          { header: 'license', value: (x) => x.license },
          { header: 'provider', value: (x) => x.provider },
          { header: 'subscription', value: (x) => x.subscriptionId },
          { header: 'seats', value: (x) => x.seats, align: 'right' },
          { header: 'when', value: (x) => (x.when === 'now' ? 'now' : `${x.when} ${day(x.at)}`) },
          { header: 'per month', value: (x) => money(x.monthlyCost) ?? 'unknown' },
          { header: 'until then', value: (x) => money(x.costUntilRelease) ?? 'unknown' },
        ]),
      );
    }
    for (const l of r.licenses) for (const n of l.notes) out.write(`note: ${l.label}: ${n}\n`);
    for (const f of r.failures) out.write(`FAILED: ${f.provider} ${f.customerId}: ${(f.error as Error).message}\n`);
    out.write(
      `\nTotal: ${r.totals.unused} unused seat(s), ${formatMoneyTotals(r.totals.unusedMonthlyCost)} per month${r.totals.costComplete ? '' : ' (some costs unknown)'}; ${r.totals.releasableNow} can be released now.\n`,
    );
    if (plan) {
      out.write('\nRightsizing plan (dry runs; nothing sent without --execute --yes):\n');
      out.write(
        renderTable(plan.changes, [
          { header: 'id', value: (c) => c.id },
          { header: 'license', value: (c) => c.license },
          { header: 'subscription', value: (c) => `${c.provider} ${c.subscriptionId}` },
          { header: 'seats', value: (c) => `${c.from} -> ${c.to}` },
          { header: 'saves/month', value: (c) => money(c.monthlySaving) ?? 'unknown' },
          {
            header: 'dry run',
            value: (c) => (c.check.ok ? `ok (checked by ${c.check.checkedBy})` : `refused: ${c.check.error?.message}`),
          },
        ]),
      );
      for (const x of plan.later) out.write(`later: ${x.license}: ${x.seats} seat(s) on ${day(x.at)} (${x.when})\n`);
      for (const s of plan.skipped) out.write(`skipped: ${s.license}: ${s.reason}\n`);
    }
    if (executed) {
      out.write('\nExecuted:\n');
      for (const e of executed) out.write(`${e.change.id} ${e.change.subscriptionId}: ${e.outcome} (${e.reason})\n`);
    }
  }
  const failedExec = executed?.some((e) => e.outcome === 'failed') ?? false;
  if (r.failures.length || failedExec) return EXIT.partial;
  return EXIT.ok;
}

/** The `withClients` wrapper of run.ts: creates the clients, runs the handler, closes the fakes. */
type WithClients = <A extends unknown[]>(
  fn: (env: CommandEnv, ...args: A) => Promise<ExitCode>,
) => (...args: A) => Promise<void>;

/**
 * Registers `reconcile`, `renewals`, `invoices` and `import-companies` on the program (one call in run.ts keeps
 * the commands of the reconciliation workflows together here).
 */
export function registerReconciliationCommands(
  program: Command,
  withClients: WithClients,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  program
    .command('reconcile')
    .description(
      'per license of --company: seats bought (every marketplace) vs assigned (Microsoft 365), unused seats, their cost and when each can be released',
    )
    .option('--tenant <id>', "the company's Microsoft tenant for Graph (default: its MICROSOFT_PARTNER_CENTER id)")
    .addOption(
      new Option('--cost-period <period>', "what annual subscriptions' unit costs are per (default: unknown)").choices([
        'billing-period',
        'month',
      ]),
    )
    .option('--plan', 'also show the rightsizing plan: each seat decrease inside an open window, dry-run checked')
    .option('--execute', 'execute the plan (needs --yes); a change whose seats moved since is refused')
    .option('-y, --yes', 'confirm --execute')
    .option('--csv <file>', 'also write one row per subscription as CSV')
    .action(withClients((env, opts: ReconcileCommandOptions) => reconcileCommand(env, opts)));

  program
    .command('renewals')
    .description('every subscription of --company (or --companies <csv>) by term end: auto-renew and decrease window')
    .option('--companies <file>', 'a companies CSV (name, marketplace_ids): every company in it')
    .option('--within <days>', 'only term ends within this many days')
    .option('--csv <file>', 'also write the rows as CSV')
    .action(
      withClients(async (env, opts: { companies?: string; within?: string; csv?: string }) => {
        const { renewalsCommand } = await import('./renewals.js');
        return renewalsCommand(env, opts);
      }),
    );

  program
    .command('invoices')
    .description('invoices of every provider that publishes them (or of --company / --customer), or their lines')
    .option('--customer <id>', 'only this customer (marketplace id such as PAX8:<uuid>)')
    .option('--from <date>', 'from this date (YYYY-MM-DD)')
    .option('--to <date>', 'to this date (YYYY-MM-DD)')
    .option('--lines <invoice-id>', 'the lines of this invoice (with --provider or --customer)')
    .option('--draft', "the current period's unbilled lines")
    .option('--limit <n>', 'most rows per provider (default 200)')
    .option('--csv <file>', 'also write the rows as CSV')
    .action(
      withClients(async (env, opts: Record<string, string | boolean | undefined>) => {
        const { invoicesCommand } = await import('./invoices.js');
        return invoicesCommand(env, opts);
      }),
    );

  program
    .command('import-companies <file>')
    .description('read the companies CSV (name, marketplace_ids): report bad rows, write the good ones as JSON')
    .option('-o, --output <file>', 'write the companies as JSON to this file')
    .option('--ids-column <name>', 'column of the marketplace ids (default marketplace_ids)')
    .option('--name-column <name>', 'column of the company name (default name, company or company_name)')
    .action(async (file: string, opts: { output?: string; idsColumn?: string; nameColumn?: string }) => {
      const { importCompaniesCommand } = await import('./import-companies.js');
      setExit(await importCompaniesCommand({ io, global: program.opts<GlobalOptions>() }, file, opts));
    });
}
