import type { CommonClientOptions } from '../core/client-options.js';
import type { MarketplaceClient } from '../core/marketplace-client.js';
import type { ProviderId } from '../model/common.js';
import { formatMarketplaceId, parseMarketplaceId, parseMarketplaceIds } from '../workflows/marketplace-ids.js';
import { Marketplaces } from '../workflows/registry.js';
import { type CredentialSource, loadConfig, resolveProvider } from './config.js';
import { CliUsageError } from './errors.js';
import type { CliIo, ScrubbedCliIo } from './io.js';
import { CLI_PROVIDERS, type CliProvider } from './providers.js';

/** Options every command takes. */
export interface GlobalOptions {
  provider?: string[] | undefined;
  company?: string | undefined;
  config?: string | undefined;
  mock?: boolean | undefined;
  json?: boolean | undefined;
  raw?: boolean | undefined;
  quiet?: boolean | undefined;
  debug?: boolean | undefined;
}

/** A configured provider: its CLI entry, client and where its credentials came from. */
export interface ProviderHandle {
  entry: CliProvider;
  client: MarketplaceClient;
  source: CredentialSource;
}

/** The clients a command works with. */
export interface CliContext {
  /** Configured providers, in preference order. */
  handles: ProviderHandle[];
  marketplaces: Marketplaces;
  /** Stops the embedded fakes (with `--mock`). */
  close(): void;
}

/** Default actor recorded in audit events. */
export const DEFAULT_ACTOR = 'msp-marketplace-cli';

/** Parses `--provider` values (repeatable, comma-separated) into known provider ids. */
export function selectedProviders(values: readonly string[] | undefined): CliProvider[] | undefined {
  if (!values || values.length === 0) return undefined;
  const ids = [...new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()))].filter(Boolean);
  return ids.map((id) => {
    const entry = CLI_PROVIDERS.find((p) => p.id === id);
    if (!entry) {
      throw new CliUsageError(`Unknown provider "${id}"`, `Use one of: ${CLI_PROVIDERS.map((p) => p.id).join(', ')}.`);
    }
    return entry;
  });
}

/** Whether the CLI was started by `npx` / `npm exec` (npm sets `npm_command=exec`). */
function underNpx(io: Pick<CliIo, 'env'>): boolean {
  return io.env.npm_command === 'exec' || io.env.npm_lifecycle_event === 'npx';
}

/** How to get msw for `--mock`: under npx, in the same temporary install; else in the project. */
export function mswHint(io: Pick<CliIo, 'env'>): string {
  return underNpx(io)
    ? 'Under npx, add it to the same run: npx -p msp-marketplace-sdk -p msw msp-marketplace --mock <command>'
    : 'Install it in your project, next to msp-marketplace-sdk: npm install --save-dev msw';
}

/** Builds the clients: from the embedded fakes with `--mock`, else from the environment and the config file. */
export async function createContext(options: GlobalOptions, io: CliIo): Promise<CliContext> {
  const selected = selectedProviders(options.provider);
  const candidates = selected ?? [...CLI_PROVIDERS];
  if (options.mock) {
    const { createMockMarketplace } = await import('../testing/mock-marketplace.js').catch((error: unknown) => {
      // The fakes need msw, an optional peer dependency.
      throw new CliUsageError(
        `--mock needs the msw package (an optional peer dependency), which is not installed: ${error instanceof Error ? error.message : String(error)}`,
        mswHint(io),
      );
    });
    const mock = createMockMarketplace();
    mock.start();
    try {
      const common: CommonClientOptions = { actor: DEFAULT_ACTOR, rateLimit: false };
      const handles = candidates.flatMap((entry): ProviderHandle[] => {
        if (entry.mock) return [{ entry, client: entry.mock(mock, common), source: 'mock' }];
        if (selected) {
          throw new CliUsageError(
            `There is no embedded fake for ${entry.id}`,
            'Leave --mock out, or pick another provider.',
          );
        }
        return [];
      });
      return finish(handles, () => mock.stop());
    } catch (error) {
      mock.stop();
      throw error;
    }
  }
  const { config } = loadConfig(options.config, io);
  const common: CommonClientOptions = { actor: config.actor ?? DEFAULT_ACTOR };
  const handles: ProviderHandle[] = [];
  for (const entry of candidates) {
    const r = resolveProvider(entry, io, config);
    // This run's credentials are redacted from every output line, even before a client holds them.
    if ('secrets' in io) {
      for (const f of entry.fields) {
        if (f.secret || f.key === 'clientId' || f.key === 'username')
          (io as ScrubbedCliIo).secrets.add(r.values[f.key]);
      }
    }
    if (r.state === 'configured') {
      handles.push({ entry, client: entry.create(r.values, common), source: r.source ?? 'env' });
    } else if (r.state === 'partial' || selected) {
      throw new CliUsageError(
        `${entry.label} is ${r.state === 'partial' ? 'partly configured' : 'not configured'}: missing ${r.missing.join(', ')}`,
        `Set ${r.missing.join(', ')} (or the same settings under providers.${entry.id} in the config file), or use --mock to try the CLI on the embedded fakes.`,
      );
    }
  }
  if (handles.length === 0) {
    throw new CliUsageError(
      'No provider is configured',
      `Set a provider's environment variables (e.g. ${CLI_PROVIDERS.map((p) =>
        p.fields
          .filter((f) => f.required)
          .map((f) => f.env)
          .join('/'),
      ).join(' or ')}), write the config file, or use --mock.`,
    );
  }
  return finish(handles, () => {});
}

function finish(handles: ProviderHandle[], close: () => void): CliContext {
  const marketplaces = new Marketplaces(handles.map((h) => h.client));
  const order = marketplaces.providers;
  handles.sort((a, b) => order.indexOf(a.entry.id) - order.indexOf(b.entry.id));
  return { handles, marketplaces, close };
}

/** A customer in one marketplace, as `--company` or `--customer` named it. */
export interface CustomerTarget {
  handle: ProviderHandle;
  provider: ProviderId;
  customerId: string;
}

/**
 * Every customer `--company` names whose provider is configured (`PAX8:<uuid>;SHERWEB:<uuid>`: both, in preference
 * order), or the one `--customer` names. Read commands show them all. Returns undefined when neither is given.
 */
export function resolveCustomers(
  ctx: CliContext,
  options: { company?: string | undefined; customer?: string | undefined },
): CustomerTarget[] | undefined {
  const byId = (provider: ProviderId) => ctx.handles.find((h) => h.entry.id === provider);
  if (options.company !== undefined && options.customer !== undefined) {
    throw new CliUsageError('Give --company or --customer, not both');
  }
  if (options.company !== undefined) {
    const ids = parseMarketplaceIds(options.company);
    if (ids.length === 0) throw new CliUsageError('--company is empty', 'Example: --company PAX8:<company uuid>');
    const company = { marketplaceIds: ids };
    const all = ctx.marketplaces.allForCompany(company);
    // None configured: forCompany throws the SDK's ConfigurationError naming them.
    if (all.length === 0) ctx.marketplaces.forCompany(company);
    return all.map((c) => ({ handle: byId(c.provider)!, provider: c.provider, customerId: c.customerId }));
  }
  const one = resolveCustomer(ctx, options);
  return one ? [one] : undefined;
}

/**
 * The one customer a command (a write, `products`-per-customer...) works on. `--company` must name exactly one
 * configured marketplace: with several (`PAX8:<uuid>;SHERWEB:<uuid>`, both configured) it is a usage error naming
 * them, never a silent pick. `--customer` takes one marketplace id, or a plain id when one provider is in play.
 * Returns undefined when neither is given.
 */
export function resolveCustomer(
  ctx: CliContext,
  options: { company?: string | undefined; customer?: string | undefined },
): CustomerTarget | undefined {
  const byId = (provider: ProviderId) => ctx.handles.find((h) => h.entry.id === provider);
  if (options.company !== undefined && options.customer !== undefined) {
    throw new CliUsageError('Give --company or --customer, not both');
  }
  if (options.company !== undefined) {
    const all = resolveCustomers(ctx, { company: options.company })!;
    if (all.length > 1) {
      const named = all.map((t) => formatMarketplaceId({ provider: t.provider, customerId: t.customerId }));
      throw new CliUsageError(
        `--company names ${all.length} configured marketplaces (${named.join(', ')}); this command works on one`,
        `Name one: --customer ${named[0]} (or keep --company and add --provider ${all[0]!.provider}).`,
      );
    }
    return all[0];
  }
  const customer = options.customer?.trim();
  if (customer === undefined) return undefined;
  if (customer === '') throw new CliUsageError('--customer is empty');
  if (/^[A-Za-z][A-Za-z0-9_-]*:/.test(customer)) {
    const id = parseMarketplaceId(customer);
    const handle = byId(id.provider);
    if (!handle) {
      throw new CliUsageError(
        `${customer} is a ${id.provider} customer, but ${id.provider} is not configured`,
        `Configure ${id.provider} or drop --provider ${ctx.handles.map((h) => h.entry.id).join(',')}.`,
      );
    }
    return { handle, provider: id.provider, customerId: id.customerId };
  }
  if (ctx.handles.length !== 1) {
    throw new CliUsageError(
      `A plain customer id is ambiguous with ${ctx.handles.length} providers configured (${ctx.handles.map((h) => h.entry.id).join(', ')})`,
      'Add --provider <id>, or write the id as a marketplace id such as PAX8:<uuid>.',
    );
  }
  const handle = ctx.handles[0]!;
  return { handle, provider: handle.entry.id, customerId: customer };
}
