import { ConfigurationError } from './core/errors.js';
import type { MarketplaceClient } from './core/marketplace-client.js';
import { DandhClient, type DandhClientOptions } from './providers/dandh/client.js';
import { IngramClient, type IngramClientOptions } from './providers/ingram/client.js';
import { PartnerCenterClient, type PartnerCenterClientOptions } from './providers/partner-center/client.js';
import { Pax8Client, type Pax8ClientOptions } from './providers/pax8/client.js';
import { SherwebClient, type SherwebClientOptions } from './providers/sherweb/client.js';
import { TdSynnexClient, type TdSynnexClientOptions } from './providers/td-synnex/client.js';

/** Options of {@link createMarketplaceClient}: `provider` picks the vendor, the rest are that vendor's options. */
export type MarketplaceClientOptions =
  | ({ provider: 'pax8' } & Pax8ClientOptions)
  | ({ provider: 'ingram' } & IngramClientOptions)
  | ({ provider: 'sherweb' } & SherwebClientOptions)
  | ({ provider: 'td-synnex' } & TdSynnexClientOptions)
  | ({ provider: 'dandh' } & DandhClientOptions)
  | ({ provider: 'partner-center' } & PartnerCenterClientOptions);

/** Client type per provider id. */
export interface MarketplaceClientByProvider {
  pax8: Pax8Client;
  ingram: IngramClient;
  sherweb: SherwebClient;
  'td-synnex': TdSynnexClient;
  dandh: DandhClient;
  'partner-center': PartnerCenterClient;
}

/**
 * Creates the client of one marketplace. Bad options throw `ConfigurationError`/`ValidationError` at once,
 * before any request; so does an unknown key (`readonly: true` is refused, naming `readOnly`). Import a provider's subpath (`msp-marketplace-sdk/pax8`) to bundle only that vendor.
 */
export function createMarketplaceClient<O extends MarketplaceClientOptions>(
  options: O,
): MarketplaceClientByProvider[O['provider']] & MarketplaceClient {
  const provider = (options as { provider?: unknown } | undefined)?.provider;
  // The rest goes to the provider's constructor, which refuses unknown keys (a misspelled `readonly` included).
  const { provider: _, ...rest } = (options ?? {}) as unknown as Record<string, unknown>;
  switch (provider) {
    case 'pax8':
      return new Pax8Client(rest as unknown as Pax8ClientOptions) as never;
    case 'ingram':
      return new IngramClient(rest as unknown as IngramClientOptions) as never;
    case 'sherweb':
      return new SherwebClient(rest as unknown as SherwebClientOptions) as never;
    case 'td-synnex':
      return new TdSynnexClient(rest as unknown as TdSynnexClientOptions) as never;
    case 'dandh':
      return new DandhClient(rest as unknown as DandhClientOptions) as never;
    case 'partner-center':
      return new PartnerCenterClient(rest as unknown as PartnerCenterClientOptions) as never;
    default:
      throw new ConfigurationError(`Unknown provider ${JSON.stringify(provider)}`, {
        operation: 'configure',
        hint: 'Use one of: pax8, dandh, ingram, sherweb, partner-center, td-synnex.',
      });
  }
}
