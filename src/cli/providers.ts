import { dirname, join } from 'node:path';
import { FileTokenStore } from '../core/auth/token-store.js';
import type { CommonClientOptions } from '../core/client-options.js';
import type { MarketplaceClient } from '../core/marketplace-client.js';
import type { PagedList } from '../core/pagination.js';
import { createMarketplaceClient } from '../create-client.js';
import type { ProviderId } from '../model/common.js';
import type { Product } from '../model/product.js';
import type { SherwebClient } from '../providers/sherweb/client.js';
import type { MockMarketplace } from '../testing/mock-marketplace.js';
import { defaultConfigPath } from './config.js';

/** One setting of a provider: its key in the config file and its environment variable. */
export interface CliProviderField {
  /** Key in the config file's `providers.<id>` object. */
  key: string;
  /** Environment variable (wins over the config file). */
  env: string;
  /** Needed to build a client. */
  required: boolean;
  /** A credential: never printed. */
  secret: boolean;
  /** One line for `--help` and docs/cli.md. */
  description: string;
}

/** What the CLI knows of one provider. Adding a provider is one entry of {@link CLI_PROVIDERS}. */
export interface CliProvider {
  id: ProviderId;
  /** Name shown to people. */
  label: string;
  fields: readonly CliProviderField[];
  /** Builds a client from resolved settings (every required field is present). */
  create(values: Readonly<Record<string, string>>, common: CommonClientOptions): MarketplaceClient;
  /** Builds a client against the embedded fake, when the testing kit has one. */
  mock?: ((mock: MockMarketplace, common: CommonClientOptions) => MarketplaceClient) | undefined;
  /**
   * Lists products. Providers whose catalog is per customer say so with `catalogNeedsCustomer` and get the
   * customer id here (default: `client.listProducts({ search })`).
   */
  listProducts?:
    | ((
        client: MarketplaceClient,
        options: { search?: string | undefined; customerId?: string | undefined },
      ) => PagedList<Product>)
    | undefined;
  /** True when products can only be listed for a customer (`--company` / `--customer`). */
  catalogNeedsCustomer?: boolean | undefined;
}

const field = (
  key: string,
  env: string,
  description: string,
  opts: { required?: boolean; secret?: boolean } = {},
): CliProviderField => ({ key, env, description, required: opts.required ?? true, secret: opts.secret ?? false });

const optional = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/** The providers the CLI can use, in the default preference order's spirit. */
export const CLI_PROVIDERS: readonly CliProvider[] = [
  {
    id: 'pax8',
    label: 'Pax8',
    fields: [
      field('clientId', 'PAX8_CLIENT_ID', 'OAuth client id of a Pax8 API app'),
      field('clientSecret', 'PAX8_CLIENT_SECRET', 'OAuth client secret of that app', { secret: true }),
      field('baseUrl', 'PAX8_BASE_URL', 'API base URL (default https://api.pax8.com/v1)', { required: false }),
    ],
    create: (v, common) =>
      createMarketplaceClient({
        provider: 'pax8',
        ...common,
        credentials: { clientId: v.clientId!, clientSecret: v.clientSecret! },
        baseUrl: optional(v.baseUrl),
      }),
    mock: (mock, common) => createMarketplaceClient({ provider: 'pax8', ...common, ...mock.clientOptions('pax8') }),
  },
  {
    id: 'dandh',
    label: 'D&H Cloud Marketplace',
    fields: [
      field('username', 'DANDH_USERNAME', 'API user of the D&H Cloud Marketplace portal (without MFA)'),
      field('password', 'DANDH_PASSWORD', 'Password of that user', { secret: true }),
      field('accountId', 'DANDH_ACCOUNT_ID', 'Parent AccountID (from the portal URL)'),
      field('baseUrl', 'DANDH_BASE_URL', 'SimpleAPI base URL (default: the D&H Cloud Solutions portal)', {
        required: false,
      }),
    ],
    create: (v, common) =>
      createMarketplaceClient({
        provider: 'dandh',
        ...common,
        credentials: { username: v.username!, password: v.password! },
        accountId: v.accountId!,
        baseUrl: optional(v.baseUrl),
      }),
    mock: (mock, common) => createMarketplaceClient({ provider: 'dandh', ...common, ...mock.clientOptions('dandh') }),
  },
  {
    id: 'ingram',
    label: 'Ingram Micro',
    fields: [
      field('username', 'INGRAM_USERNAME', 'Marketplace API user (its name ends in .API)'),
      field('password', 'INGRAM_PASSWORD', 'Password of that user', { secret: true }),
      field('subscriptionKey', 'INGRAM_SUBSCRIPTION_KEY', 'X-Subscription-Key from the Marketplace API page', {
        secret: true,
      }),
      field('marketplace', 'INGRAM_MARKETPLACE', 'Country marketplace code (us, ca, nl, de, uk, ...)'),
      field('region', 'INGRAM_REGION', 'API region: na (alias us), eu, uk or oc (default: from the marketplace)', {
        required: false,
      }),
      field('baseUrl', 'INGRAM_BASE_URL', 'API base URL, instead of the region', { required: false }),
    ],
    create: (v, common) =>
      createMarketplaceClient({
        provider: 'ingram',
        ...common,
        credentials: { username: v.username!, password: v.password!, subscriptionKey: v.subscriptionKey! },
        marketplace: v.marketplace,
        region: optional(v.region),
        baseUrl: optional(v.baseUrl),
      }),
    mock: (mock, common) => createMarketplaceClient({ provider: 'ingram', ...common, ...mock.clientOptions('ingram') }),
  },
  {
    id: 'sherweb',
    label: 'Sherweb',
    fields: [
      field('clientId', 'SHERWEB_CLIENT_ID', 'OAuth client id from the Sherweb partner portal (Security > APIs)'),
      field('clientSecret', 'SHERWEB_CLIENT_SECRET', 'OAuth client secret', { secret: true }),
      field('subscriptionKey', 'SHERWEB_SUBSCRIPTION_KEY', 'API Management subscription key', { secret: true }),
      field('catalogCustomerId', 'SHERWEB_CATALOG_CUSTOMER_ID', 'Customer whose catalog `products list` shows', {
        required: false,
      }),
      field('baseUrl', 'SHERWEB_BASE_URL', 'API base URL (default https://api.sherweb.com/service-provider/v1)', {
        required: false,
      }),
    ],
    create: (v, common) =>
      createMarketplaceClient({
        provider: 'sherweb',
        ...common,
        credentials: { clientId: v.clientId!, clientSecret: v.clientSecret!, subscriptionKey: v.subscriptionKey! },
        catalogCustomerId: optional(v.catalogCustomerId),
        baseUrl: optional(v.baseUrl),
      }),
    mock: (mock, common) =>
      createMarketplaceClient({ provider: 'sherweb', ...common, ...mock.clientOptions('sherweb') }),
    listProducts: (client, { search, customerId }) =>
      (client as SherwebClient).listProducts({ search, ...(customerId ? { customerId } : {}) }),
    catalogNeedsCustomer: true,
  },
  {
    id: 'partner-center',
    label: 'Microsoft Partner Center',
    fields: [
      field('tenantId', 'PARTNER_CENTER_TENANT_ID', "The partner's Entra tenant id"),
      field('clientId', 'PARTNER_CENTER_CLIENT_ID', 'Application (client) id of the Partner Center app'),
      field('clientSecret', 'PARTNER_CENTER_CLIENT_SECRET', 'Application key (client secret)', { secret: true }),
      field('refreshToken', 'PARTNER_CENTER_REFRESH_TOKEN', 'App+user refresh token (needed for purchases)', {
        required: false,
        secret: true,
      }),
      field('baseUrl', 'PARTNER_CENTER_BASE_URL', 'API base URL (default https://api.partnercenter.microsoft.com/v1)', {
        required: false,
      }),
    ],
    create: (v, common) =>
      createMarketplaceClient({
        provider: 'partner-center',
        ...common,
        credentials: {
          tenantId: v.tenantId!,
          clientId: v.clientId!,
          clientSecret: v.clientSecret!,
          refreshToken: optional(v.refreshToken),
        },
        baseUrl: optional(v.baseUrl),
      }),
    mock: (mock, common) =>
      createMarketplaceClient({ provider: 'partner-center', ...common, ...mock.clientOptions('partner-center') }),
  },
  {
    id: 'td-synnex',
    label: 'TD SYNNEX StreamOne Ion',
    fields: [
      field(
        'refreshToken',
        'TD_SYNNEX_REFRESH_TOKEN',
        'First refresh token from the Ion portal (used while the token store is empty)',
        {
          secret: true,
        },
      ),
      field('accountId', 'TD_SYNNEX_ACCOUNT_ID', 'Reseller account id'),
      field(
        'tokenStore',
        'TD_SYNNEX_TOKEN_STORE',
        'File that keeps the rotating refresh token (default: td-synnex-token.json beside the config file)',
        { required: false },
      ),
      field('baseUrl', 'TD_SYNNEX_BASE_URL', 'API base URL (default https://ion.tdsynnex.com)', { required: false }),
    ],
    // Ion refresh tokens are single-use: every run must persist the rotated one, or the next run is locked out.
    create: (v, common) =>
      createMarketplaceClient({
        provider: 'td-synnex',
        ...common,
        credentials: { refreshToken: v.refreshToken! },
        accountId: v.accountId!,
        tokenStore: new FileTokenStore(
          optional(v.tokenStore) ?? join(dirname(defaultConfigPath({ env: process.env })), 'td-synnex-token.json'),
        ),
        baseUrl: optional(v.baseUrl),
      }),
    mock: (mock, common) =>
      createMarketplaceClient({ provider: 'td-synnex', ...common, ...mock.clientOptions('td-synnex') }),
  },
];

/** The CLI's entry for a provider id, if it has one. */
export function cliProvider(id: string): CliProvider | undefined {
  return CLI_PROVIDERS.find((p) => p.id === id);
}
