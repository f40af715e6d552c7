import { type MarketplaceClientOptions, createMarketplaceClient } from '../../src/create-client.js';
import type { CommonClientOptions } from '../../src/core/client-options.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import type { ProviderId } from '../../src/model/common.js';
import type { MockMarketplace } from '../../src/testing/mock-marketplace.js';
import type { FaultInjector } from '../../src/testing/kit/faults.js';
import type { RecordedRequest } from '../../src/testing/kit/fake-server.js';

/** The six marketplace providers, in a fixed order. */
export const PROVIDERS = ['pax8', 'sherweb', 'ingram', 'td-synnex', 'dandh', 'partner-center'] as const;
export type Provider = (typeof PROVIDERS)[number] & ProviderId;

/** What the suite needs of every vendor fake. */
export interface AnyFake {
  readonly baseUrl: string;
  readonly faults: FaultInjector;
  readonly requests: RecordedRequest[];
  readonly appliedWrites: unknown[];
}

/** The fake standing in for a provider. */
export function fakeOf(mock: MockMarketplace, provider: Provider): AnyFake {
  switch (provider) {
    case 'pax8':
      return mock.pax8;
    case 'sherweb':
      return mock.sherweb;
    case 'ingram':
      return mock.ingram;
    case 'td-synnex':
      return mock.tdSynnex;
    case 'dandh':
      return mock.dandh;
    case 'partner-center':
      return mock.partnerCenter;
  }
}

/** Tiny retry delays: the suite compresses time instead of waiting. */
export const FAST_RETRY = { retries: 6, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 50 } as const;

/** A real SDK client of `provider` pointed at the mock marketplace, limiter off, retries compressed. */
export function clientFor(
  mock: MockMarketplace,
  provider: Provider,
  extra: Partial<CommonClientOptions> & Record<string, unknown> = {},
): MarketplaceClient {
  const base = mock.clientOptions(provider) as unknown as Record<string, unknown>;
  const polling = provider === 'pax8' || provider === 'ingram' ? {} : { pollIntervalMs: 1 };
  return createMarketplaceClient({
    provider,
    ...base,
    ...polling,
    rateLimit: false,
    retry: FAST_RETRY,
    ...extra,
  } as MarketplaceClientOptions);
}
