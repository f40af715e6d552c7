import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { ConfigurationError, ValidationError } from '../core/errors.js';
import type { MarketplaceClient } from '../core/marketplace-client.js';
import { type ProviderId, ProviderIdSchema } from '../model/common.js';
import { type MarketplaceId, formatMarketplaceId } from './marketplace-ids.js';

/** The default order in which a company's marketplaces are preferred: Pax8, D&H, Ingram Micro, Sherweb, Partner Center, TD SYNNEX. */
export const DEFAULT_PROVIDER_PREFERENCE: readonly ProviderId[] = Object.freeze([
  'pax8',
  'dandh',
  'ingram',
  'sherweb',
  'partner-center',
  'td-synnex',
]);

/** What the registry needs of a company: its marketplace ids (a {@link Company} from the CSV fits). */
export interface CompanyRef {
  name?: string | undefined;
  marketplaceIds: readonly MarketplaceId[];
}

/** The marketplace chosen for a company, and why. */
export interface MarketplaceChoice {
  /** The client to use. */
  client: MarketplaceClient;
  provider: ProviderId;
  /** The company's customer id in that marketplace. */
  customerId: string;
  /** The mapping it came from. */
  marketplaceId: MarketplaceId;
  /** Why this one, in words (preference order, what was skipped). */
  reason: string;
}

/** Options of {@link Marketplaces}. */
export interface MarketplacesOptions {
  /**
   * Preference order of providers (default {@link DEFAULT_PROVIDER_PREFERENCE}). Providers left out come
   * after the listed ones, in the default order.
   */
  preference?: readonly ProviderId[] | undefined;
}

/** Options of {@link Marketplaces.forCompany}. */
export interface ForCompanyOptions {
  /** A preference order for this call only (same rules as {@link MarketplacesOptions.preference}). */
  preference?: readonly ProviderId[] | undefined;
}

const MARKETPLACES_OPTION_KEYS = knownKeys<MarketplacesOptions>('Marketplaces options', { preference: true });
const FOR_COMPANY_OPTION_KEYS = knownKeys<ForCompanyOptions>('forCompany options', { preference: true });

/** Checks and completes a preference list. */
export function resolvePreference(preference: readonly ProviderId[] | undefined): ProviderId[] {
  if (preference === undefined) return [...DEFAULT_PROVIDER_PREFERENCE];
  const issues = [];
  const seen = new Set<ProviderId>();
  for (const [i, p] of preference.entries()) {
    if (!ProviderIdSchema.safeParse(p).success) {
      issues.push({ path: `preference[${i}]`, message: `unknown provider "${String(p)}"` });
    } else if (seen.has(p)) {
      issues.push({ path: `preference[${i}]`, message: `"${p}" is listed twice` });
    }
    seen.add(p);
  }
  if (issues.length) {
    throw new ValidationError(`Invalid provider preference: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  return [...preference, ...DEFAULT_PROVIDER_PREFERENCE.filter((p) => !seen.has(p))];
}

/**
 * One {@link MarketplaceClient} per configured provider, and the routing of a company to one of them.
 * Vendor-neutral: build the clients however you like (`createMarketplaceClient`, a provider subpath, a fake).
 */
export class Marketplaces {
  readonly #clients = new Map<ProviderId, MarketplaceClient>();
  readonly #preference: ProviderId[];

  /** `clients`: the clients, one per provider (an array or an object by provider id). */
  constructor(
    clients: Iterable<MarketplaceClient> | Partial<Record<ProviderId, MarketplaceClient>>,
    options: MarketplacesOptions = {},
  ) {
    rejectUnknownKeys(options, MARKETPLACES_OPTION_KEYS, { error: 'configuration', operation: 'configure' });
    this.#preference = resolvePreference(options.preference);
    const list: MarketplaceClient[] =
      Symbol.iterator in Object(clients)
        ? [...(clients as Iterable<MarketplaceClient>)]
        : Object.values(clients as Record<string, MarketplaceClient>).filter((c) => c !== undefined);
    for (const client of list) {
      if (!client || typeof client !== 'object' || !ProviderIdSchema.safeParse(client.provider).success) {
        throw new ConfigurationError('Marketplaces: every client must be a MarketplaceClient with a known provider', {
          operation: 'configure',
        });
      }
      if (this.#clients.has(client.provider)) {
        throw new ConfigurationError(`Marketplaces: two clients for ${client.provider}`, {
          provider: client.provider,
          operation: 'configure',
          hint: 'Pass one client per provider.',
        });
      }
      this.#clients.set(client.provider, client);
    }
  }

  /** The configured providers, in preference order. */
  get providers(): ProviderId[] {
    return this.#preference.filter((p) => this.#clients.has(p));
  }

  /** The preference order in force (every provider, configured or not). */
  get preference(): readonly ProviderId[] {
    return this.#preference;
  }

  /** The configured clients, in preference order. */
  clients(): MarketplaceClient[] {
    return this.providers.map((p) => this.#clients.get(p)!);
  }

  /** Whether a client is configured for `provider`. */
  has(provider: ProviderId): boolean {
    return this.#clients.has(provider);
  }

  /** The client of `provider`, if configured. */
  get(provider: ProviderId): MarketplaceClient | undefined {
    return this.#clients.get(provider);
  }

  /** The client of `provider`; throws {@link ConfigurationError} when none is configured. */
  require(provider: ProviderId): MarketplaceClient {
    const c = this.#clients.get(provider);
    if (!c) {
      throw new ConfigurationError(`No ${provider} client is configured`, {
        provider,
        operation: 'configure',
        hint: `Add a ${provider} client to Marketplaces (configured: ${this.providers.join(', ') || 'none'}).`,
      });
    }
    return c;
  }

  /**
   * Every marketplace of the company that has a configured client, in preference order (ties: the order the
   * ids were written). Ids of providers without a client are left out.
   */
  allForCompany(company: CompanyRef, options: ForCompanyOptions = {}): MarketplaceChoice[] {
    rejectUnknownKeys(options, FOR_COMPANY_OPTION_KEYS, { path: 'options', operation: 'allForCompany' });
    const preference = options.preference ? resolvePreference(options.preference) : this.#preference;
    const ids = this.#ids(company);
    const ranked = ids
      .map((id, i) => ({ id, i, rank: preference.indexOf(id.provider) }))
      .sort((a, b) => a.rank - b.rank || a.i - b.i);
    return ranked
      .filter(({ id }) => this.#clients.has(id.provider))
      .map(({ id }, n) => ({
        client: this.#clients.get(id.provider)!,
        provider: id.provider,
        customerId: id.customerId,
        marketplaceId: id,
        reason: `${formatMarketplaceId(id)} is choice ${n + 1} by preference order ${preference.join(' > ')}`,
      }));
  }

  /**
   * The marketplace to use for a company: the first of its ids, in preference order, whose provider has a
   * configured client. `reason` says why (and which ids were skipped). Throws {@link ValidationError} for a
   * company without marketplace ids and {@link ConfigurationError} when none of its providers is configured.
   */
  forCompany(company: CompanyRef, options: ForCompanyOptions = {}): MarketplaceChoice {
    rejectUnknownKeys(options, FOR_COMPANY_OPTION_KEYS, { path: 'options', operation: 'forCompany' });
    const preference = options.preference ? resolvePreference(options.preference) : this.#preference;
    const ids = this.#ids(company);
    const all = this.allForCompany(company, options);
    const chosen = all[0];
    const label = company.name ? `"${company.name}"` : 'the company';
    if (!chosen) {
      throw new ConfigurationError(
        `None of the marketplaces of ${label} (${ids.map(formatMarketplaceId).join(', ')}) has a configured client`,
        {
          operation: 'forCompany',
          hint: `Configure a client for one of: ${[...new Set(ids.map((i) => i.provider))].join(', ')}.`,
        },
      );
    }
    const unconfigured = ids.filter((i) => !this.#clients.has(i.provider)).map(formatMarketplaceId);
    const lower = all.slice(1).map((c) => formatMarketplaceId(c.marketplaceId));
    const why = [
      `${chosen.provider} is the most preferred of ${label}'s marketplaces with a configured client (order: ${preference.join(' > ')})`,
      unconfigured.length ? `skipped ${unconfigured.join(', ')} (no client configured)` : '',
      lower.length ? `also mapped: ${lower.join(', ')}` : '',
    ].filter(Boolean);
    return { ...chosen, reason: why.join('; ') };
  }

  #ids(company: CompanyRef): readonly MarketplaceId[] {
    const ids = company?.marketplaceIds;
    if (!Array.isArray(ids) || ids.length === 0) {
      throw new ValidationError(`${company?.name ? `"${company.name}"` : 'The company'} has no marketplace ids`, [
        { path: 'company.marketplaceIds', message: 'must list at least one marketplace id' },
      ]);
    }
    return ids;
  }
}
