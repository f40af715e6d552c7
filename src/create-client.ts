import { ConfigurationError } from './core/errors.js';
import type { MarketplaceClient } from './core/marketplace-client.js';
import { Pax8Client, type Pax8ClientOptions } from './providers/pax8/client.js';

/** Options of {@link createMarketplaceClient}: `provider` picks the vendor, the rest are that vendor's options. */
export type MarketplaceClientOptions = { provider: 'pax8' } & Pax8ClientOptions;

/** Client type per provider id. */
export interface MarketplaceClientByProvider {
  pax8: Pax8Client;
}

/**
 * Creates the client of one marketplace. Bad options throw `ConfigurationError`/`ValidationError` at once,
 * before any request. Import a provider's subpath (`msp-marketplace-sdk/pax8`) to bundle only that vendor.
 */
export function createMarketplaceClient<O extends MarketplaceClientOptions>(
  options: O,
): MarketplaceClientByProvider[O['provider']] & MarketplaceClient {
  const provider = (options as { provider?: unknown } | undefined)?.provider;
  switch (provider) {
    case 'pax8':
      return new Pax8Client(options);
    default:
      throw new ConfigurationError(`Unknown provider ${JSON.stringify(provider)}`, {
        operation: 'configure',
        hint: 'Use one of: pax8.',
      });
  }
}
