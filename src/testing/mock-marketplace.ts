import type { HttpHandler } from 'msw';
import { setupServer } from 'msw/node';
import { type Pax8Fake, type Pax8FakeOptions, createPax8Fake } from './pax8/fake.js';
import type { Clock } from './kit/types.js';

/** Options of {@link createMockMarketplace}. */
export interface MockMarketplaceOptions {
  /** Clock shared by every fake (default `() => new Date()`, so fake timers apply). */
  now?: Clock;
  /** Seed each fake with realistic data (default true). */
  seed?: boolean;
  /** Options of the Pax8 fake. */
  pax8?: Omit<Pax8FakeOptions, 'now' | 'seed'>;
}

/** Client options that point a real SDK client at a fake. */
export interface FakeClientOptions<C> {
  credentials: C;
  baseUrl: string;
  tokenUrl?: string;
}

/** Every vendor fake plus the msw handlers for all of them. */
export interface MockMarketplace {
  readonly pax8: Pax8Fake;
  /** msw handlers of every fake; pass to your own `setupServer(...)`, or use `start()`. */
  readonly handlers: HttpHandler[];
  /** Client options (credentials the fake accepts, its base URL) per provider. */
  clientOptions(provider: 'pax8'): FakeClientOptions<{ clientId: string; clientSecret: string }>;
  /** Starts an msw server for Node with these handlers (unhandled requests are errors: nothing reaches the network). */
  start(): void;
  /** Stops the server started by `start()`. */
  stop(): void;
}

/**
 * Stateful fakes of the vendors' APIs, for tests, demos and your integration tests: no credentials, no
 * network. Point a client at it with `mock.clientOptions(provider)`.
 */
export function createMockMarketplace(options: MockMarketplaceOptions = {}): MockMarketplace {
  const common = { ...(options.now ? { now: options.now } : {}), seed: options.seed ?? true };
  const pax8 = createPax8Fake({ ...options.pax8, ...common });
  const handlers = [...pax8.handlers];
  let server: ReturnType<typeof setupServer> | undefined;
  return {
    pax8,
    handlers,
    clientOptions: () => ({
      credentials: { ...pax8.credentials },
      baseUrl: pax8.baseUrl,
      tokenUrl: pax8.tokenUrl,
    }),
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
