import { MarketplaceError } from '../../core/errors.js';
import type { Invoice, InvoiceLine } from '../../model/billing.js';
import { type ProviderHandle, resolveCustomers } from '../context.js';
import { CliUsageError, EXIT, type ExitCode, errorJson } from '../errors.js';
import { renderTable, withoutRaw, writeJson } from '../output.js';
import { progress, writeCsvFile } from './reconcile.js';
import { type CommandEnv, note, reportError } from './shared.js';

/** Options of `invoices`. */
export interface InvoicesCommandOptions {
  customer?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** The lines of this invoice instead of the invoice list. */
  lines?: string | undefined;
  /** The current period's unbilled lines. */
  draft?: boolean | undefined;
  /** Most rows per provider (default 200). */
  limit?: string | undefined;
  csv?: string | undefined;
}

const money = (m: { amount: number; currency: string | null } | null | undefined) =>
  m ? `${m.amount.toFixed(2)} ${m.currency ?? '?'}` : null;

function invoiceRow(i: Invoice): Record<string, unknown> {
  return {
    provider: i.provider,
    id: i.id,
    number: i.number,
    customerId: i.customerId,
    status: i.status,
    invoiceDate: i.invoiceDate,
    dueDate: i.dueDate,
    periodStart: i.periodStart,
    periodEnd: i.periodEnd,
    total: i.total?.amount ?? null,
    balance: i.balance?.amount ?? null,
    currency: i.total?.currency ?? i.balance?.currency ?? null,
  };
}

function lineRow(l: InvoiceLine): Record<string, unknown> {
  return {
    provider: l.provider,
    invoiceId: l.invoiceId,
    customerId: l.customerId,
    customerName: l.customerName,
    subscriptionId: l.subscriptionId,
    productId: l.productId,
    sku: l.sku,
    description: l.description,
    chargeType: l.chargeType,
    periodStart: l.periodStart,
    periodEnd: l.periodEnd,
    quantity: l.quantity,
    unitPrice: l.unitPrice?.amount ?? null,
    unitCost: l.unitCost?.amount ?? null,
    total: l.total?.amount ?? null,
    currency: l.total?.currency ?? l.unitCost?.currency ?? l.unitPrice?.currency ?? null,
  };
}

/**
 * `invoices`: the invoices of every configured provider that publishes them (or of the `--company`/`--customer`),
 * `--lines <id>` for one invoice's lines, `--draft` for the unbilled lines. Providers without the read are named.
 */
export async function invoicesCommand(env: CommandEnv, options: InvoicesCommandOptions): Promise<ExitCode> {
  const limit = options.limit === undefined ? 200 : Number(options.limit);
  if (!(Number.isInteger(limit) && limit > 0)) throw new CliUsageError('--limit must be a whole number above 0');
  if (options.lines !== undefined && options.draft)
    throw new CliUsageError('Give --lines <invoice id> or --draft, not both');
  const targets = resolveCustomers(env.ctx, { company: env.global.company, customer: options.customer });
  const jobs: { handle: ProviderHandle; customerId?: string | undefined }[] = targets
    ? targets.map((t) => ({ handle: t.handle, customerId: t.customerId }))
    : env.ctx.handles.map((handle) => ({ handle }));
  const wantLines = options.lines !== undefined || options.draft === true;
  const flag = options.draft ? 'draftInvoiceLines' : 'invoices';
  const say = progress(env);
  const invoices: Invoice[] = [];
  const lines: InvoiceLine[] = [];
  let failed = 0;
  let ok = 0;
  for (const [i, job] of jobs.entries()) {
    const { client, entry } = job.handle;
    if (client.capabilities[flag] !== true) {
      note(
        env,
        `${entry.id}: ${options.draft ? 'no unbilled-lines read' : 'no invoice read'} (capabilities.${flag} is off; see docs/providers/${entry.id}.md)`,
      );
      continue;
    }
    say(`… ${entry.id} (${i + 1}/${jobs.length})`);
    try {
      if (wantLines) {
        const list = client.listInvoiceLines({
          ...(options.draft ? { draft: true } : { invoiceId: options.lines }),
          customerId: job.customerId,
        });
        lines.push(...(await list.toArray({ limit })));
      } else {
        const list = client.listInvoices({ customerId: job.customerId, from: options.from, to: options.to });
        invoices.push(...(await list.toArray({ limit })));
      }
      ok += 1;
    } catch (error) {
      if (!(error instanceof MarketplaceError)) throw error;
      failed += 1;
      reportError(env, error, `${entry.id}: error`);
    }
  }
  const rows = wantLines ? lines.map(lineRow) : invoices.map(invoiceRow);
  if (options.csv) note(env, `wrote ${writeCsvFile(env.io, options.csv, rows)}`);
  if (env.global.json) {
    writeJson(
      env.io.stdout,
      (wantLines ? lines : invoices).map((x) => withoutRaw(x, env.global.raw)),
    );
  } else if (wantLines) {
    env.io.stdout.write(
      renderTable(lines, [
        { header: 'provider', value: (l) => l.provider },
        { header: 'customer', value: (l) => l.customerName ?? l.customerId },
        { header: 'subscription', value: (l) => l.subscriptionId },
        { header: 'description', value: (l) => l.description },
        { header: 'type', value: (l) => l.chargeType },
        { header: 'qty', value: (l) => l.quantity, align: 'right' },
        { header: 'unit cost', value: (l) => money(l.unitCost), align: 'right' },
        { header: 'total', value: (l) => money(l.total), align: 'right' },
      ]),
    );
  } else {
    env.io.stdout.write(
      renderTable(invoices, [
        { header: 'provider', value: (i) => i.provider },
        { header: 'invoice', value: (i) => i.number ?? i.id },
        { header: 'customer', value: (i) => i.customerId ?? '(all)' },
        { header: 'date', value: (i) => i.invoiceDate?.slice(0, 10) },
        {
          header: 'period',
          value: (i) => (i.periodStart ? `${i.periodStart.slice(0, 10)}..${i.periodEnd?.slice(0, 10) ?? ''}` : null),
        },
        { header: 'status', value: (i) => i.status },
        { header: 'total', value: (i) => money(i.total), align: 'right' },
        { header: 'balance', value: (i) => money(i.balance), align: 'right' },
      ]),
    );
  }
  if (failed === 0) return EXIT.ok;
  return ok === 0 ? EXIT.vendor : EXIT.partial;
}

/** Exposed for tests of the row shapes. */
export const invoiceRows = { invoiceRow, lineRow, errorJson };
