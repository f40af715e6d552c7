/**
 * Timeouts and cancellation: an AbortSignal or a timeout stops waiting for an answer, sleeping (backoff and
 * Retry-After) and polling (waitForCompletion) promptly, and leaves no timer or socket behind.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError } from '../../src/core/errors.js';
import type { MarketplaceClient } from '../../src/core/marketplace-client.js';
import type { PendingOperation } from '../../src/model/operations.js';
import { createMockMarketplace } from '../../src/testing/mock-marketplace.js';
import { directFetch } from './direct-fetch.js';
import { FigureBook } from './figures.js';
import { PROVIDERS, type Provider, clientFor, fakeOf } from './providers.js';
import { SecretSentinel } from './secret-sentinel.js';

const book = new FigureBook('cancellation');
const sentinel = new SecretSentinel();
const mock = createMockMarketplace({ partnerCenter: { asyncSubscriptionUpdates: true } });
const fetch = sentinel.fetch(directFetch(mock.handlers));
/** How long "promptly" may take on a loaded 2-core machine. */
const PROMPT_MS = 250;

afterEach(() => {
  vi.useRealTimers();
  for (const p of PROVIDERS) fakeOf(mock, p).faults.clear();
});
afterAll(() => {
  book.add('all', 'secretsChecked', sentinel.secrets);
  book.add('all', 'recorded', sentinel.recorded);
  book.add('all', 'secretsFound', sentinel.leaks().length);
  book.save();
});

/** Timers and sockets the process holds. */
function handles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || /TCP|Socket|Pipe/.test(r));
}

/** A fetch that never answers but honours its signal (and holds no timer of its own). */
const hangingFetch: typeof globalThis.fetch = (_input, init) =>
  new Promise((_, reject) => {
    const signal = init?.signal;
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/**
 * Runs `start` (which must reject), aborting after `abortAfterMs` when given; checks it rejects within
 * `promptMs` of the abort (or of `expectMs`) and that no timer or socket is left behind.
 */
async function stopsPromptly(
  provider: Provider,
  label: string,
  start: (signal: AbortSignal) => Promise<unknown>,
  options: { abortAfterMs?: number; expectMs: number; error?: new (...args: never[]) => Error },
): Promise<void> {
  await new Promise((r) => setImmediate(r));
  const before = handles().length;
  const controller = new AbortController();
  const reason = new Error(`aborted by the test (${label})`);
  const t0 = performance.now();
  const timer =
    options.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(reason), options.abortAfterMs);
  const error = await start(controller.signal).then(
    () => new Error(`${label} did not stop`),
    (e: unknown) => e,
  );
  const took = performance.now() - t0;
  clearTimeout(timer);
  sentinel.observe(`${provider} ${label}`, error);
  await new Promise((r) => setImmediate(r));
  const left = handles().length - before;
  const late = took > options.expectMs + PROMPT_MS;
  if (left > 0 || late) book.add(provider, 'cancellationLeaks');
  expect({ label, late, leftBehind: Math.max(0, left) }).toEqual({ label, late: false, leftBehind: 0 });
  if (options.error) expect(error).toBeInstanceOf(options.error);
  else expect(error).toBe(reason);
}

const firstRef = async (c: MarketplaceClient) => {
  const [customer] = await c.listCustomers().toArray({ limit: 1 });
  const [s] = await c.listSubscriptions({ customerId: customer!.id }).toArray({ limit: 1 });
  return { customerId: s!.customerId, subscriptionId: s!.id };
};

describe('cancellation and timeouts', () => {
  for (const provider of PROVIDERS) {
    it(`${provider}: abort and timeout stop waiting, sleeping and polling at once, leaving nothing behind`, async () => {
      sentinel.credentials(mock.clientOptions(provider).credentials);
      const fake = fakeOf(mock, provider);
      const c = sentinel.watch(clientFor(mock, provider, { fetch, logger: sentinel.logger() }));
      const ref = await firstRef(c);
      await c.getSubscription(ref); // token cached

      // Waiting for an answer: the caller's signal, then the client's per-attempt timeout (retries spent).
      const hanging = clientFor(mock, provider, { fetch: hangingFetch, timeoutMs: 60_000 });
      await stopsPromptly(
        provider,
        'abort while waiting',
        (signal) => hanging.getCustomer(ref.customerId, { signal }),
        {
          abortAfterMs: 20,
          expectMs: 20,
        },
      );
      const short = clientFor(mock, provider, {
        fetch: hangingFetch,
        timeoutMs: 20,
        retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 },
      });
      await stopsPromptly(provider, 'timeout while waiting', () => short.getSubscription(ref), {
        expectMs: 120,
        error: TimeoutError,
      });

      // Sleeping: a Retry-After of 30 s and a 30 s backoff, cut short by the caller's signal.
      const patient = clientFor(mock, provider, {
        fetch,
        retry: { retries: 3, baseDelayMs: 30_000, maxDelayMs: 30_000 },
      });
      fake.faults.add({ kind: 'http-429', retryAfterSeconds: 30, times: 1 });
      await stopsPromptly(provider, 'abort during Retry-After', (signal) => patient.getSubscription(ref, { signal }), {
        abortAfterMs: 30,
        expectMs: 30,
      });
      fake.faults.clear();
      fake.faults.add({ kind: 'http-503', times: 5 });
      await stopsPromptly(provider, 'abort during backoff', (signal) => patient.getSubscription(ref, { signal }), {
        abortAfterMs: 30,
        expectMs: 30,
      });
      fake.faults.clear();

      // The client's own signal stops its calls too.
      const owner = new AbortController();
      const owned = clientFor(mock, provider, { fetch: hangingFetch, signal: owner.signal });
      await stopsPromptly(
        provider,
        'client signal',
        (signal) => {
          signal.addEventListener('abort', () => owner.abort(signal.reason));
          return owned.getSubscription(ref);
        },
        { abortAfterMs: 20, expectMs: 20 },
      );
    });
  }

  it('honours a Retry-After of 1 s on fake time, without waiting for it', async () => {
    const c = clientFor(mock, 'pax8', { fetch, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const ref = await firstRef(c);
    mock.pax8.faults.add({ kind: 'http-429', retryAfterSeconds: 1, times: 1 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t0 = performance.now();
    let done = false;
    const p = c.getSubscription(ref).finally(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(done).toBe(true));
    expect((await p).id).toBe(ref.subscriptionId);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  for (const provider of ['sherweb', 'ingram', 'td-synnex', 'dandh', 'partner-center'] as const) {
    it(`${provider}: waitForCompletion stops polling on abort and on its timeout`, async () => {
      const c = clientFor(mock, provider, { fetch });
      const candidates = [];
      for await (const customer of c.listCustomers()) {
        for await (const s of c.listSubscriptions({ customerId: customer.id })) {
          if (s.status === 'active' && s.quantity > 0) candidates.push(s);
        }
        if (candidates.length > 20) break;
      }
      let operation: PendingOperation | undefined;
      for (const s of candidates.sort(
        (a, b) => Number(b.billingTerm === 'monthly') - Number(a.billingTerm === 'monthly'),
      )) {
        const r = await c
          .setSeats({ customerId: s.customerId, subscriptionId: s.id }, s.quantity + 1)
          .catch(() => undefined);
        if (r?.operation) {
          operation = r.operation;
          break;
        }
      }
      if (!operation) {
        // This vendor answered synchronously for every candidate (e.g. Partner Center without slow changes).
        book.note(`${provider}: no pending seat change to poll; waitForCompletion covered by the other providers.`);
        return;
      }
      const op = operation;
      await stopsPromptly(
        provider,
        'abort while polling',
        (signal) => op.waitForCompletion({ pollIntervalMs: 30_000, signal }),
        {
          abortAfterMs: 30,
          expectMs: 30,
        },
      );
      await stopsPromptly(
        provider,
        'timeout while polling',
        () => op.waitForCompletion({ pollIntervalMs: 30_000, timeoutMs: 40 }),
        {
          expectMs: 40,
          error: TimeoutError,
        },
      );
    });
  }

  it('lets no secret out', () => {
    expect(sentinel.leaks()).toEqual([]);
  });
});
