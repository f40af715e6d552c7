import type { HttpHandler } from 'msw';
import type { FaultInjector } from './faults.js';
import type { RecordedRequest } from './fake-server.js';

/** What every vendor fake exposes: msw handlers over an in-memory state that behaves like the vendor. */
export interface VendorFake<State, Credentials extends object = Record<string, string>> {
  /** The SDK provider id this fake stands in for (`pax8`, `sherweb`, ...). */
  readonly provider: string;
  /** The base URL the handlers answer on (the provider's default unless overridden). */
  readonly baseUrl: string;
  /** msw request handlers: pass them to `setupServer(...)`. */
  readonly handlers: HttpHandler[];
  /** The in-memory state (customers, products, subscriptions, orders, ...), open for tests to read and change. */
  readonly state: State;
  /** Injected faults for this fake. */
  readonly faults: FaultInjector;
  /** Every request the fake received, in order (token calls included). */
  readonly requests: RecordedRequest[];
  /** The credentials the fake accepts; anything else is refused as the vendor would. */
  readonly credentials: Credentials;
}

/** A clock for fakes: `() => new Date()` by default, so vitest fake timers apply. */
export type Clock = () => Date;
