import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import type { HttpHandler } from 'msw';
import { setupServer } from 'msw/node';
import { type DandhFake, type DandhFakeOptions, createDandhFake } from './dandh/fake.js';
import { type GraphFake, type GraphFakeOptions, createGraphFake } from './graph/fake.js';
import { type IngramFake, type IngramFakeOptions, createIngramFake } from './ingram/fake.js';
import type { Clock } from './kit/types.js';
import {
  type PartnerCenterFake,
  type PartnerCenterFakeOptions,
  createPartnerCenterFake,
} from './partner-center/fake.js';
import { type Pax8Fake, type Pax8FakeOptions, createPax8Fake } from './pax8/fake.js';
import { type SherwebFake, type SherwebFakeOptions, createSherwebFake } from './sherweb/fake.js';
import { type TdSynnexFake, type TdSynnexFakeOptions, createTdSynnexFake } from './td-synnex/fake.js';

/** Options of {@link createMockMarketplace}. */
export interface MockMarketplaceOptions {
  /** Clock shared by every fake (default `() => new Date()`, so fake timers apply). */
  now?: Clock;
  /** Seed each fake with realistic data (default true). */
  seed?: boolean;
  /** Options of the Pax8 fake. */
  pax8?: Omit<Pax8FakeOptions, 'now' | 'seed'>;
  /** Options of the Sherweb fake. */
  sherweb?: Omit<SherwebFakeOptions, 'now' | 'seed'>;
  /** Options of the Ingram Micro fake. */
  ingram?: Omit<IngramFakeOptions, 'now' | 'seed'>;
  /** Options of the TD SYNNEX StreamOne Ion fake. */
  tdSynnex?: Omit<TdSynnexFakeOptions, 'now' | 'seed'>;
  /** Options of the D&H fake. */
  dandh?: Omit<DandhFakeOptions, 'now' | 'seed'>;
  /** Options of the Microsoft Partner Center fake. */
  partnerCenter?: Omit<PartnerCenterFakeOptions, 'now' | 'seed'>;
  /** Options of the Microsoft Graph fake. */
  graph?: Omit<GraphFakeOptions, 'now' | 'seed'>;
}

/** Client options that point a real SDK client at a fake. */
export interface FakeClientOptions<C> {
  credentials: C;
  baseUrl: string;
  tokenUrl?: string;
}

/** Client options per provider, as {@link MockMarketplace.clientOptions} returns them. */
export interface FakeClientOptionsByProvider {
  pax8: FakeClientOptions<{ clientId: string; clientSecret: string }>;
  sherweb: FakeClientOptions<{ clientId: string; clientSecret: string; subscriptionKey: string }>;
  ingram: FakeClientOptions<{ username: string; password: string; subscriptionKey: string }> & { marketplace: string };
  'td-synnex': FakeClientOptions<{ refreshToken: string }> & { accountId: string };
  dandh: FakeClientOptions<{ username: string; password: string }> & { accountId: string };
  'partner-center': FakeClientOptions<{
    tenantId: string;
    clientId: string;
    clientSecret: string;
    refreshToken: string;
  }>;
}

/** Every vendor fake plus the msw handlers for all of them. */
export interface MockMarketplace {
  readonly pax8: Pax8Fake;
  readonly sherweb: SherwebFake;
  readonly ingram: IngramFake;
  readonly tdSynnex: TdSynnexFake;
  readonly dandh: DandhFake;
  readonly partnerCenter: PartnerCenterFake;
  /** Microsoft Graph (license assignment), seeded with the same Contoso tenant as Partner Center. */
  readonly graph: GraphFake;
  /** Options for `createGraphClient` pointing at the Graph fake. */
  graphClientOptions(): {
    credentials: { tenantId: string; clientId: string; clientSecret: string };
    baseUrl: string;
    /** The fake's Entra authority (the Graph client has no `tokenUrl` option). */
    authorityUrl: string;
  };
  /** msw handlers of every fake; pass to your own `setupServer(...)`, or use `start()`. */
  readonly handlers: HttpHandler[];
  /** Client options (credentials the fake accepts, its base URL) for a provider. */
  clientOptions<P extends keyof FakeClientOptionsByProvider>(provider: P): FakeClientOptionsByProvider[P];
  /** Starts an msw server for Node with these handlers (unhandled requests are errors: nothing reaches the network). */
  start(): void;
  /** Stops the server started by `start()`. */
  stop(): void;
}

/** Known top-level keys of {@link MockMarketplaceOptions} (`tdsynnex` is refused, not silently unconfigured). */
const MOCK_MARKETPLACE_OPTION_KEYS = knownKeys<MockMarketplaceOptions>('createMockMarketplace options', {
  now: true,
  seed: true,
  pax8: true,
  sherweb: true,
  ingram: true,
  tdSynnex: true,
  dandh: true,
  partnerCenter: true,
  graph: true,
});

/**
 * Stateful fakes of the vendors' APIs, for tests, demos and your integration tests: no credentials, no
 * network. Point a client at one with `mock.clientOptions(provider)`.
 */
export function createMockMarketplace(options: MockMarketplaceOptions = {}): MockMarketplace {
  rejectUnknownKeys(options, MOCK_MARKETPLACE_OPTION_KEYS, { path: 'options', operation: 'createMockMarketplace' });
  const common = { ...(options.now ? { now: options.now } : {}), seed: options.seed ?? true };
  const pax8 = createPax8Fake({ ...options.pax8, ...common });
  const sherweb = createSherwebFake({ ...options.sherweb, ...common });
  const ingram = createIngramFake({ ...options.ingram, ...common });
  const tdSynnex = createTdSynnexFake({ ...options.tdSynnex, ...common });
  const dandh = createDandhFake({ ...options.dandh, ...common });
  const partnerCenter = createPartnerCenterFake({ ...options.partnerCenter, ...common });
  const graph = createGraphFake({ ...options.graph, ...common });
  const handlers = [
    ...pax8.handlers,
    ...sherweb.handlers,
    ...ingram.handlers,
    ...tdSynnex.handlers,
    ...dandh.handlers,
    ...partnerCenter.handlers,
    ...graph.handlers,
  ];
  const byProvider: FakeClientOptionsByProvider = {
    pax8: { credentials: { ...pax8.credentials }, baseUrl: pax8.baseUrl, tokenUrl: pax8.tokenUrl },
    sherweb: { credentials: { ...sherweb.credentials }, baseUrl: sherweb.baseUrl, tokenUrl: sherweb.tokenUrl },
    ingram: {
      credentials: {
        username: ingram.credentials.username,
        password: ingram.credentials.password,
        subscriptionKey: ingram.credentials.subscriptionKey,
      },
      marketplace: ingram.credentials.marketplace,
      baseUrl: ingram.baseUrl,
    },
    'td-synnex': {
      credentials: { refreshToken: tdSynnex.credentials.refreshToken },
      accountId: tdSynnex.credentials.accountId,
      baseUrl: tdSynnex.baseUrl,
    },
    dandh: {
      credentials: { username: dandh.credentials.username, password: dandh.credentials.password },
      accountId: dandh.credentials.accountId,
      baseUrl: dandh.baseUrl,
    },
    'partner-center': {
      credentials: { ...partnerCenter.credentials },
      baseUrl: partnerCenter.baseUrl,
      tokenUrl: partnerCenter.tokenUrl,
    },
  };
  let server: ReturnType<typeof setupServer> | undefined;
  return {
    pax8,
    sherweb,
    ingram,
    tdSynnex,
    dandh,
    partnerCenter,
    graph,
    handlers,
    graphClientOptions: () => ({
      credentials: { ...graph.credentials },
      baseUrl: graph.baseUrl,
      authorityUrl: graph.authorityUrl,
    }),
    clientOptions: (provider) => structuredClone(byProvider[provider]),
    start() {
      if (server) return;
      server = setupServer(...handlers);
      server.listen({ onUnhandledRequest: 'error' });
    },
    stop() {
      server?.close();
      server = undefined;
    },
  };
}
