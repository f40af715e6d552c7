import { MarketplaceError, ValidationError } from '../../core/errors.js';
import type { ConnectionReport } from '../../model/operations.js';
import type { Customer } from '../../model/customer.js';
import type { Product } from '../../model/product.js';
import { type Subscription, SubscriptionStatusSchema } from '../../model/subscription.js';
import { matchesLicense, normalizeLicenseKey } from '../../workflows/license-subscriptions.js';
import { formatMarketplaceId, marketplaceIdPrefix } from '../../workflows/marketplace-ids.js';
import { type CustomerTarget, type ProviderHandle, resolveCustomer, resolveCustomers } from '../context.js';
import { CliUsageError, EXIT, type ExitCode, errorJson } from '../errors.js';
import { renderFields, renderTable, withoutRaw, writeJson } from '../output.js';
import {
  type CommandEnv,
  type PerProviderOutcome,
  forEachProvider,
  note,
  outcomeExitCode,
  reportError,
} from './shared.js';

/** `verify`: checks each provider's credentials and shows what they can see. */
export async function verifyCommand(env: CommandEnv): Promise<ExitCode> {
  const rows: { handle: ProviderHandle; report?: ConnectionReport; error?: MarketplaceError }[] = [];
  for (const handle of env.ctx.handles) {
    try {
      rows.push({ handle, report: await handle.client.verifyConnection() });
    } catch (error) {
      if (!(error instanceof MarketplaceError)) throw error;
      rows.push({ handle, error });
    }
  }
  if (env.global.json) {
    writeJson(
      env.io.stdout,
      rows.map(({ handle, report, error }) => ({
        provider: handle.entry.id,
        credentials: handle.source,
        ok: !error,
        ...(report ? { report } : {}),
        ...(error ? { error: errorJson(error) } : {}),
      })),
    );
  } else {
    env.io.stdout.write(
      renderTable(rows, [
        { header: 'provider', value: (r) => r.handle.entry.id },
        { header: 'status', value: (r) => (r.error ? `FAILED (${r.error.kind})` : 'ok') },
        { header: 'credentials', value: (r) => r.handle.source },
        { header: 'customers', value: (r) => atLeast(r.report?.customers, r.report?.customersExact), align: 'right' },
        {
          header: 'subscriptions',
          value: (r) => atLeast(r.report?.subscriptions, r.report?.subscriptionsExact),
          align: 'right',
        },
        { header: 'base url', value: (r) => r.report?.baseUrl },
      ]),
    );
    for (const r of rows) {
      const warning = r.report?.details.warning;
      if (typeof warning === 'string' && warning) env.io.stdout.write(`${r.handle.entry.id}: warning: ${warning}\n`);
    }
    for (const r of rows) if (r.error) reportError(env, r.error, `${r.handle.entry.id}: error`);
  }
  const failed = rows.filter((r) => r.error);
  return outcomeExitCode({
    ok: rows.length - failed.length,
    failed: failed.map((r) => ({ handle: r.handle, error: r.error })),
  });
}

/** A count as shown: `>=N` when counting stopped early. */
function atLeast(count: number | null | undefined, exact: boolean | undefined): string | number | null | undefined {
  return typeof count === 'number' && exact === false ? `>=${count}` : count;
}

/**
 * Runs `fn` for each customer named by `--company`/`--customer` (several with `--company PAX8:..;SHERWEB:..`), or
 * once per configured provider (without a customer) when none was named; failures are isolated as in
 * {@link forEachProvider}.
 */
async function forEachTarget(
  env: CommandEnv,
  targets: CustomerTarget[] | undefined,
  fn: (handle: ProviderHandle, target: CustomerTarget | undefined) => Promise<void>,
): Promise<PerProviderOutcome> {
  if (!targets) return forEachProvider(env, env.ctx.handles, (h) => fn(h, undefined));
  const total: PerProviderOutcome = { ok: 0, failed: [] };
  for (const target of targets) {
    const one = await forEachProvider(env, [target.handle], (h) => fn(h, target));
    total.ok += one.ok;
    total.failed.push(...one.failed);
  }
  return total;
}

/** `customers list`: every customer of every configured provider. */
export async function customersListCommand(env: CommandEnv): Promise<ExitCode> {
  const rows: Customer[] = [];
  const outcome = await forEachProvider(env, env.ctx.handles, async (h) => {
    for await (const c of h.client.listCustomers()) rows.push(c);
  });
  if (env.global.json)
    writeJson(
      env.io.stdout,
      rows.map((c) => withoutRaw(c, env.global.raw)),
    );
  else
    env.io.stdout.write(
      renderTable(rows, [
        { header: 'marketplace id', value: (c) => formatMarketplaceId({ provider: c.provider, customerId: c.id }) },
        { header: 'name', value: (c) => c.name },
        { header: 'status', value: (c) => c.status },
        { header: 'tenant id', value: (c) => c.tenantId },
        { header: 'country', value: (c) => c.country },
      ]),
    );
  return outcomeExitCode(outcome);
}

/** Options of `products list`. */
export interface ProductsListOptions {
  search?: string | undefined;
  customer?: string | undefined;
}

/** `products list`: the catalog of each provider (per customer where the vendor has no global catalog). */
export async function productsListCommand(env: CommandEnv, options: ProductsListOptions): Promise<ExitCode> {
  const targets = resolveCustomers(env.ctx, { company: env.global.company, customer: options.customer });
  const rows: Product[] = [];
  let skipped = 0;
  const outcome = await forEachTarget(env, targets, async (h, target) => {
    // Only per-customer catalogs take a customer: the others refuse an unknown option key.
    const opts = {
      search: options.search,
      ...(h.entry.catalogNeedsCustomer ? { customerId: target?.customerId } : {}),
    };
    try {
      const list = h.entry.listProducts ? h.entry.listProducts(h.client, opts) : h.client.listProducts(opts);
      for await (const p of list) rows.push(p);
    } catch (error) {
      if (!(h.entry.catalogNeedsCustomer && !target && error instanceof ValidationError)) throw error;
      skipped += 1;
      note(
        env,
        `${h.entry.id}: skipped: catalogs are per customer; pass --company ${marketplaceIdPrefix(h.entry.id)}:<customer id>`,
      );
    }
  });
  if (env.global.json)
    writeJson(
      env.io.stdout,
      rows.map((p) => withoutRaw(p, env.global.raw)),
    );
  else
    env.io.stdout.write(
      renderTable(rows, [
        { header: 'provider', value: (p) => p.provider },
        { header: 'id', value: (p) => p.id },
        { header: 'name', value: (p) => p.name },
        { header: 'sku', value: (p) => p.sku },
        { header: 'vendor', value: (p) => p.vendorName },
        { header: 'commitment', value: (p) => p.requiresCommitment },
      ]),
    );
  const visited = targets?.length ?? env.ctx.handles.length;
  if (skipped === visited && visited > 0) {
    throw new CliUsageError('No catalog could be listed without a customer', 'Pass --company or --customer.');
  }
  return outcomeExitCode(outcome);
}

/** Options of `subscriptions list`. */
export interface SubscriptionsListOptions {
  customer?: string | undefined;
  license?: string | undefined;
  status?: string | undefined;
}

/** Whether a subscription is of a license: the SDK's exact match (SKU, product id, name), or part of the name. */
export function licenseFilter(license: string): (s: Subscription) => boolean {
  const key = normalizeLicenseKey(license);
  if (!key) throw new CliUsageError('--license needs at least one letter or digit');
  return (s) => matchesLicense(s, license) || normalizeLicenseKey(s.name).includes(key);
}

/** `subscriptions list`: subscriptions of every provider, or of one customer; filtered by license and status. */
export async function subscriptionsListCommand(env: CommandEnv, options: SubscriptionsListOptions): Promise<ExitCode> {
  const status =
    options.status === undefined ? undefined : SubscriptionStatusSchema.safeParse(options.status.toLowerCase());
  if (status && !status.success) {
    throw new CliUsageError(
      `Unknown status "${options.status}"`,
      `Use one of: ${SubscriptionStatusSchema.options.join(', ')}.`,
    );
  }
  const byLicense = options.license === undefined ? () => true : licenseFilter(options.license);
  const targets = resolveCustomers(env.ctx, { company: env.global.company, customer: options.customer });
  const rows: Subscription[] = [];
  const outcome = await forEachTarget(env, targets, async (h, target) => {
    if (!target && !h.client.capabilities.listAllSubscriptions) {
      throw new ValidationError(`${h.entry.label} lists subscriptions per customer only`, [], {
        provider: h.entry.id,
        hint: `Pass --company ${marketplaceIdPrefix(h.entry.id)}:<customer id>.`,
      });
    }
    const list = h.client.listSubscriptions({ customerId: target?.customerId, status: status?.data });
    for await (const s of list) if (byLicense(s)) rows.push(s);
  });
  if (env.global.json)
    writeJson(
      env.io.stdout,
      rows.map((s) => withoutRaw(s, env.global.raw)),
    );
  else
    env.io.stdout.write(
      renderTable(rows, [
        { header: 'provider', value: (s) => s.provider },
        { header: 'customer', value: (s) => s.customerId },
        { header: 'subscription', value: (s) => s.id },
        { header: 'name', value: (s) => s.name },
        { header: 'status', value: (s) => s.status },
        { header: 'seats', value: (s) => s.quantity, align: 'right' },
        { header: 'billing', value: (s) => s.billingTerm },
        { header: 'commitment', value: (s) => s.commitment?.term },
        { header: 'renews', value: (s) => s.renewalDate?.slice(0, 10) },
      ]),
    );
  if (outcome.failed.length === 0 && rows.length === 0) note(env, 'No subscription matched.');
  return outcome.failed.length ? outcomeExitCode(outcome) : EXIT.ok;
}

/** `subscriptions get <subscription>`: one subscription of the customer (`--customer` or `--company`). */
export async function subscriptionGetCommand(
  env: CommandEnv,
  subscriptionId: string,
  options: { customer?: string | undefined },
): Promise<ExitCode> {
  const target = resolveCustomer(env.ctx, { company: env.global.company, customer: options.customer });
  if (!target) {
    throw new CliUsageError(
      'Which customer? Pass --customer <marketplace id> (e.g. PAX8:<uuid>) or --company',
      'List customers with: msp-marketplace customers list',
    );
  }
  const s = await target.handle.client.getSubscription({ customerId: target.customerId, subscriptionId });
  if (env.global.json) {
    writeJson(env.io.stdout, withoutRaw(s, env.global.raw));
    return EXIT.ok;
  }
  env.io.stdout.write(
    renderFields([
      ['subscription', s.id],
      ['name', s.name],
      ['provider', s.provider],
      ['customer', s.customerId],
      ['product', s.productId],
      ['status', s.status],
      ['seats', s.quantity],
      ['billing', s.billingTerm],
      ['commitment', s.commitment?.term],
      ['renews', s.renewalDate?.slice(0, 10)],
    ]),
  );
  return EXIT.ok;
}
