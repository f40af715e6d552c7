/**
 * Issue 16, strict options: every public options object refuses unknown keys, naming the key and the closest known
 * one, before any network call. Client options per provider (and their credentials), list/get options, workflow
 * options and the CLI config file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMON_CLIENT_OPTION_KEYS } from '../../src/core/client-options.js';
import { ConfigurationError, ValidationError } from '../../src/core/errors.js';
import type { ListSubscriptionsOptions } from '../../src/core/marketplace-client.js';
import { LIST_SUBSCRIPTIONS_OPTION_KEYS } from '../../src/core/options/call-options.js';
import { closestKey, type OptionKeys, unknownKeys } from '../../src/core/options/strict-keys.js';
import { createMarketplaceClient } from '../../src/create-client.js';
import { createGraphClient } from '../../src/graph/index.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import type { FakeClientOptionsByProvider } from '../../src/testing/mock-marketplace.js';
import { createMockMarketplace } from '../../src/testing/index.js';
import {
  Marketplaces,
  listLicenseSubscriptions,
  parseCompaniesCsv,
  parseMarketplaceIds,
  syncAll,
} from '../../src/workflows/index.js';
import { createMarketplaceMcpServer } from '../../src/mcp/index.js';
import { run } from '../cli/helpers.js';

type Provider = keyof FakeClientOptionsByProvider;
const PROVIDERS: readonly Provider[] = ['pax8', 'dandh', 'ingram', 'sherweb', 'partner-center', 'td-synnex'];

/** A fetch that records calls: nothing may reach it when options are refused. */
function countingFetch() {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    calls.push(String(input));
    throw new Error('no request expected');
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

const mock = createMockMarketplace();
beforeAll(() => mock.start());
afterAll(() => mock.stop());

function client(provider: Provider, extra: Record<string, unknown> = {}): MarketplaceClient {
  const base = mock.clientOptions(provider) as unknown as Record<string, unknown>;
  const region = provider === 'ingram' ? { region: 'eu' } : {};
  return createMarketplaceClient({ provider, ...base, ...region, rateLimit: false, ...extra } as never);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('client options', () => {
  it('createMarketplaceClient({ ..., readonly: true }) throws naming readOnly, before any request', () => {
    const { calls, fetch } = countingFetch();
    const error = thrown(() => client('pax8', { readonly: true, fetch }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).message).toBe(
      'Unknown option "readonly" (did you mean "readOnly"?) in pax8 client options; nothing was sent',
    );
    expect((error as ConfigurationError).provider).toBe('pax8');
    expect((error as ConfigurationError).hint).toContain('readOnly');
    expect(calls).toEqual([]);
  });

  it.each(PROVIDERS)('%s refuses unknown keys in its options, credentials, retry and rateLimit', (provider) => {
    expect(() => client(provider, { readonly: true })).toThrow(/"readonly" \(did you mean "readOnly"\?\)/);
    expect(() => client(provider, { timeoutMS: 5 })).toThrow(/"timeoutMS" \(did you mean "timeoutMs"\?\)/);
    const creds = {
      ...(mock.clientOptions(provider) as unknown as { credentials: Record<string, unknown> }).credentials,
    };
    const [first] = Object.keys(creds);
    creds[`${first!}X`] = 'x';
    const e = thrown(() => client(provider, { credentials: creds }));
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).toContain(`"credentials.${first}X" (did you mean "credentials.${first}"?)`);
    expect(() => client(provider, { retry: { retires: 2 } })).toThrow(
      /"retry\.retires" \(did you mean "retry\.retries"\?\)/,
    );
    expect(() => client(provider, { rateLimit: { requests: 1, perMS: 1000 } })).toThrow(
      /did you mean "rateLimit\.perMs"/,
    );
    // The provider-specific keys are known (no throw).
    expect(client(provider, { readOnly: true, actor: 'me' }).provider).toBe(provider);
  });

  it('never echoes a value, only key names', () => {
    const e = thrown(() => client('pax8', { clientSecret: 'sekrit-value-9' }));
    expect((e as Error).message).not.toContain('sekrit-value-9');
    expect(JSON.stringify(e)).not.toContain('sekrit-value-9');
  });

  it('the Graph client too', () => {
    expect(() => createGraphClient({ ...mock.graphClientOptions(), tokenUrl: 'https://x' } as never)).toThrow(
      ConfigurationError,
    );
    expect(createGraphClient({ ...mock.graphClientOptions(), rateLimit: false }).constructor.name).toBe('GraphClient');
  });
});

describe('list and get options', () => {
  it.each(PROVIDERS)(
    '%s: listSubscriptions({ customerID }) throws suggesting customerId, before any request',
    (provider) => {
      const { calls, fetch } = countingFetch();
      const c = client(provider, { fetch });
      const e = thrown(() => c.listSubscriptions({ customerID: '1', billingterm: 'monthly' } as never));
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).message).toBe(
        'Unknown options "customerID" (did you mean "customerId"?), "billingterm" (did you mean "billingTerm"?) in listSubscriptions options; nothing was sent',
      );
      expect((e as ValidationError).issues).toEqual([
        { path: 'customerID', message: 'unknown option; did you mean "customerId"?' },
        { path: 'billingterm', message: 'unknown option; did you mean "billingTerm"?' },
      ]);
      expect(() => c.listCustomers({ signa: new AbortController().signal } as never)).toThrow(/did you mean "signal"/);
      expect(() => c.listProducts({ serach: 'x' } as never)).toThrow(/did you mean "search"/);
      expect(calls).toEqual([]);
    },
  );

  it.each(PROVIDERS)(
    '%s: verifyConnection, getCustomer and getSubscription refuse unknown option keys',
    async (provider) => {
      const { calls, fetch } = countingFetch();
      const c = client(provider, { fetch });
      await expect(c.verifyConnection({ sgnal: new AbortController().signal } as never)).rejects.toThrow(
        /did you mean "signal"/,
      );
      await expect(c.getCustomer('1', { timeout: 1 } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(
        c.getSubscription({ customerId: '1', subscriptionId: '2' }, { signals: new AbortController().signal } as never),
      ).rejects.toThrow(/did you mean "signal"/);
      expect(calls).toEqual([]);
    },
  );

  it('Sherweb knows its own listProducts key (customerId)', () => {
    const c = client('sherweb');
    expect(() => c.listProducts({ customerid: 'x' } as never)).toThrow(/did you mean "customerId"/);
  });
});

describe('workflow options', () => {
  it('listLicenseSubscriptions, Marketplaces, forCompany and parseCompaniesCsv refuse unknown keys', async () => {
    const m = new Marketplaces([client('pax8')]);
    const company = { marketplaceIds: parseMarketplaceIds('PAX8:7b1f2d34-5c6e-4f80-9a1b-2c3d4e5f6a7b') };
    await expect(listLicenseSubscriptions(m, company, 'x', { onerror: 'skip' } as never)).rejects.toThrow(
      /"options\.onerror" \(did you mean "options\.onError"\?\)/,
    );
    expect(() => new Marketplaces([], { preferences: ['pax8'] } as never)).toThrow(ConfigurationError);
    expect(() => m.forCompany(company, { prefrence: ['pax8'] } as never)).toThrow(/did you mean "options\.preference"/);
    expect(() => parseCompaniesCsv('name,marketplace_ids\n', { idColum: 'x' } as never)).toThrow(
      /did you mean "options\.idColumn"/,
    );
  });
});

describe('syncAll, listings, the MCP server and the mock marketplace', () => {
  it('refuse unknown keys naming the closest known one, before any request', async () => {
    const { calls, fetch } = countingFetch();
    const c = client('pax8', { fetch });
    const m = new Marketplaces([c]);
    expect(() => syncAll(m, { checkPoint: {} } as never)).toThrow(
      /"options\.checkPoint" \(did you mean "options\.checkpoint"\?\)/,
    );
    await expect(c.listCustomers().toArray({ limit: 1, limt: 2 } as never)).rejects.toThrow(
      /did you mean "options\.limit"/,
    );
    await expect(
      c
        .listCustomers()
        .byPage({ cursr: 'x' } as never)
        .next(),
    ).rejects.toThrow(/did you mean "options\.cursor"/);
    expect(() => createMarketplaceMcpServer({ marketplaces: m, enableWrite: true } as never)).toThrow(
      /did you mean "options\.enableWrites"/,
    );
    expect(() => createMockMarketplace({ tdsynnex: {} } as never)).toThrow(/did you mean "options\.tdSynnex"/);
    expect(calls).toEqual([]);
  });
});

describe('the CLI config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msp-strict-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a misspelled key fails clearly, naming the closest known key and never a value', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ acter: 'me', providers: {} }), { mode: 0o600 });
    const top = await run(['--config', file, 'verify']);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain('unknown key "acter" (did you mean "actor"?)');
    writeFileSync(file, JSON.stringify({ providers: { pax8: { clientSecret: 'sekrit-value-2', clientid: 'x' } } }), {
      mode: 0o600,
    });
    const setting = await run(['--config', file, 'verify']);
    expect(setting.code).toBe(2);
    expect(setting.stderr).toContain(
      'unknown setting "providers.pax8.clientid" (did you mean "providers.pax8.clientId"?)',
    );
    expect(setting.stderr).not.toContain('sekrit-value-2');
    writeFileSync(file, JSON.stringify({ providers: { pax: {} } }), { mode: 0o600 });
    const provider = await run(['--config', file, 'verify']);
    expect(provider.stderr).toContain('unknown provider "providers.pax" (did you mean "providers.pax8"?)');
  });
});

describe('the known-key lists', () => {
  it('suggest only close keys', () => {
    expect(closestKey('customerID', ['customerId', 'productId'])).toBe('customerId');
    expect(closestKey('zzzzzz', ['customerId', 'productId'])).toBeUndefined();
    // A misspelled key set to undefined asks for nothing, so it is not refused (shared option objects spread).
    expect(unknownKeys({ customerId: '1', customerID: undefined }, LIST_SUBSCRIPTIONS_OPTION_KEYS)).toEqual([]);
    expect(unknownKeys({ customerID: '1' }, LIST_SUBSCRIPTIONS_OPTION_KEYS)).toEqual(['customerID']);
    expect(Object.keys(COMMON_CLIENT_OPTION_KEYS)).toContain('readOnly');
  });

  it('are complete by construction (checked by the compiler)', () => {
    // @ts-expect-error a key of the interface missing from its list does not compile
    const missing: OptionKeys<ListSubscriptionsOptions> = { customerId: true };
    const extra: OptionKeys<ListSubscriptionsOptions> = {
      customerId: true,
      productId: true,
      status: true,
      billingTerm: true,
      signal: true,
      // @ts-expect-error a key the interface does not have does not compile either
      customerID: true,
    };
    expect([missing, extra]).toHaveLength(2);
  });
});
