/**
 * A client's `signal` option (long-lived, the caller's) against a Pax8 look-alike written here with node:http.
 * Aborting it stops in-flight calls and calls waiting between retries with its reason, and fails later calls before
 * anything is sent. Calls follow it without `AbortSignal.any` (on Node 20 that keeps every combined signal alive for
 * the source's lifetime, nodejs/node#55351) and without a listener each: at most one listener is on it while calls
 * are in flight, none once they ended, and 500 concurrent calls raise no MaxListenersExceededWarning.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../src/core/auth/token-provider.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';
import { type SeenRequest, send, useLookAlike } from '../helpers/lookalike.js';
import { abortListeners as listeners, dependantSignals } from '../helpers/signal-probes.js';

const COMPANY = 'a1b2c3d4-0000-4000-8000-00000000c0de';
const PRODUCT = '5e1d0c2b-8a47-4f63-9b21-0d7c3e4f5a6b';
const subId = (i: number) => `5ab00000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** How the look-alike answers `GET /subscriptions/{id}`. */
type Mode = 'answer' | 'hold' | 'rate-limited' | 'missing';
let mode: Mode = 'answer';
const seen = { token: 0, subscription: 0, traceHeader: [] as string[] };
/** Held requests, answered by `releaseHeld()`. */
let held: ServerResponse[] = [];
/** Resolves when the look-alike has seen `want` subscription requests. */
let waiters: { want: number; resolve: () => void }[] = [];

const subscription = (id: string) => ({
  id,
  companyId: COMPANY,
  productId: PRODUCT,
  quantity: 3,
  status: 'Active',
  billingTerm: 'Monthly',
  startDate: '2024-01-15T00:00:00Z',
});

function handle(req: SeenRequest, res: ServerResponse): void {
  if (req.method === 'POST' && req.path === '/token') {
    seen.token += 1;
    send(res, 200, { access_token: 'tok', expires_in: 3600, token_type: 'Bearer' });
    return;
  }
  if (req.headers.authorization === 'Bearer tok' && req.path === `/products/${PRODUCT}/dependencies`) {
    send(res, 200, { commitmentDependencies: [] });
    return;
  }
  const one = /^\/subscriptions\/([^/]+)$/.exec(req.path);
  if (!one || req.headers.authorization !== 'Bearer tok') {
    send(res, 404, { message: 'Not Found' });
    return;
  }
  seen.subscription += 1;
  const trace = req.headers['x-trace-id'];
  if (typeof trace === 'string') seen.traceHeader.push(trace);
  for (const w of waiters) if (seen.subscription >= w.want) w.resolve();
  waiters = waiters.filter((w) => seen.subscription < w.want);
  if (mode === 'hold') held.push(res);
  else if (mode === 'rate-limited') send(res, 429, { message: 'Too Many Requests' }, { 'retry-after': '30' });
  else if (mode === 'missing') send(res, 404, { message: 'Not Found' });
  else send(res, 200, subscription(one[1]!));
}

/** Resolves once the look-alike has seen `want` subscription requests in all. */
function requestsSeen(want: number): Promise<void> {
  if (seen.subscription >= want) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ want, resolve }));
}

function releaseHeld(): void {
  for (const res of held) if (!res.writableEnded) send(res, 200, subscription(subId(1)));
  held = [];
}

// After-hooks run in reverse order: the held answers are sent before the look-alike closes.
const lookalike = useLookAlike(handle);
afterAll(releaseHeld);
beforeEach(() => {
  defaultTokenCache.clear();
  mode = 'answer';
  seen.token = 0;
  seen.subscription = 0;
  seen.traceHeader = [];
  waiters = [];
});
afterEach(() => releaseHeld());

function client(signal: AbortSignal, options: { retries?: number } = {}) {
  return createPax8Client({
    credentials: { clientId: 'client-signal-test', clientSecret: 'secret' },
    baseUrl: lookalike.current.url,
    tokenUrl: `${lookalike.current.url}/token`,
    signal,
    // No queue: every call is in flight at once (the most listeners the old way would have put on the signal).
    rateLimit: false,
    retry: { retries: options.retries ?? 0, maxRetryAfterMs: 60_000 },
  });
}
const ref = (i = 1) => ({ customerId: COMPANY, subscriptionId: subId(i) });
/** How a call ended, in words a failed assertion shows. */
function outcome(result: PromiseSettledResult<unknown> | string, reason: unknown): string {
  if (typeof result === 'string') return result;
  if (result.status === 'fulfilled') return 'answered';
  return result.reason === reason ? 'client reason' : `other error: ${String(result.reason)}`;
}

describe('aborting the client signal', () => {
  it('aborts an in-flight call, with or without a signal of its own, with the client signal reason', async () => {
    const stop = new AbortController();
    const pax8 = client(stop.signal);
    await pax8.getSubscription(ref()); // token fetched
    mode = 'hold';
    const own = new AbortController();
    const plain = pax8.getSubscription(ref(1));
    const withOwn = pax8.getSubscription(ref(2), { signal: own.signal });
    const withOptions = pax8.getSubscription(ref(3), { signal: own.signal, headers: { 'x-trace-id': 'trace-1' } });
    await requestsSeen(4);
    const reason = new Error('client shut down');
    stop.abort(reason);
    // A call the abort missed gets its answer instead (and the assertion below shows it), rather than hanging.
    mode = 'answer';
    setImmediate(releaseHeld);
    const results = await Promise.allSettled([plain, withOwn, withOptions]);
    expect(results.map((r) => outcome(r, reason))).toEqual(['client reason', 'client reason', 'client reason']);
    // The per-call header (found by the call's signal) was sent.
    expect(seen.traceHeader).toEqual(['trace-1']);
    expect(listeners(stop.signal)).toBe(0);
    expect(listeners(own.signal)).toBe(0);
  });

  it('aborts a call waiting between retries (Retry-After: 30) without sending again', async () => {
    const stop = new AbortController();
    const pax8 = client(stop.signal, { retries: 3 });
    mode = 'rate-limited';
    const retries: number[] = [];
    let waiting!: () => void;
    const retryScheduled = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    pax8.on('retry', (e) => {
      retries.push(e.delayMs);
      waiting();
    });
    const own = new AbortController();
    const calls = [pax8.getSubscription(ref(1)), pax8.getSubscription(ref(2), { signal: own.signal })];
    await retryScheduled;
    await requestsSeen(2);
    const reason = new Error('client shut down');
    stop.abort(reason);
    // A call the abort missed would wait 30 s: after 10 s it counts as still waiting.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const results = await Promise.race([
      Promise.allSettled(calls),
      new Promise<string[]>((resolve) => {
        timer = setTimeout(() => resolve(['still waiting']), 10_000);
      }),
    ]);
    clearTimeout(timer);
    expect(results.map((r) => outcome(r, reason))).toEqual(['client reason', 'client reason']);
    expect(retries.every((d) => d === 30_000)).toBe(true);
    expect(seen.subscription).toBe(2);
    expect(listeners(stop.signal)).toBe(0);
    expect(listeners(own.signal)).toBe(0);
  });

  it('fails a call before any request when the client signal is already aborted', async () => {
    const stop = new AbortController();
    const reason = new Error('aborted before the call');
    stop.abort(reason);
    const pax8 = client(stop.signal);
    await expect(pax8.getSubscription(ref())).rejects.toBe(reason);
    await expect(pax8.getSubscription(ref(), { signal: new AbortController().signal })).rejects.toBe(reason);
    expect(seen).toMatchObject({ token: 0, subscription: 0 });
  });

  it("a call's own signal still aborts only that call; the client signal keeps no listener", async () => {
    const stop = new AbortController();
    const pax8 = client(stop.signal);
    await pax8.getSubscription(ref());
    mode = 'hold';
    const own = new AbortController();
    const mine = pax8.getSubscription(ref(1), { signal: own.signal });
    const other = pax8.getSubscription(ref(2));
    await requestsSeen(3);
    const reason = new Error('only this call');
    own.abort(reason);
    await expect(mine).rejects.toBe(reason);
    releaseHeld();
    await expect(other).resolves.toMatchObject({ quantity: 3 });
    expect(stop.signal.aborted).toBe(false);
    expect(listeners(stop.signal)).toBe(0);
  });
});

describe('following the client signal', () => {
  it('leaves no listener (and no AbortSignal.any dependant) on it after 2,000 calls of every outcome', async () => {
    const stop = new AbortController();
    // The caller's own listener stays; the count must come back to it.
    const callersOwn = () => undefined;
    stop.signal.addEventListener('abort', callersOwn);
    const before = listeners(stop.signal);
    const pax8 = client(stop.signal);
    let most = 0;
    for (let batch = 0; batch < 20; batch++) {
      mode = batch % 5 === 4 ? 'missing' : 'answer';
      const calls = Array.from({ length: 100 }, (_, i) => {
        // Half with a signal of their own (some with per-call options), half without.
        const own = i % 2 === 0 ? new AbortController() : undefined;
        if (own && i % 10 === 0) setImmediate(() => own.abort(new Error('caller gave up')));
        const options = own
          ? i % 4 === 0
            ? { signal: own.signal, headers: { 'x-trace-id': 't' } }
            : { signal: own.signal }
          : {};
        return pax8.getSubscription(ref(i + 1), options);
      });
      most = Math.max(most, listeners(stop.signal));
      await Promise.allSettled(calls);
    }
    expect(seen.subscription).toBeGreaterThan(1000);
    // While calls were in flight: the one listener of the SDK, no more.
    expect(most).toBe(before + 1);
    expect(listeners(stop.signal)).toBe(before);
    expect(dependantSignals(stop.signal) ?? 0).toBe(0);
  });

  it('500 concurrent calls raise no MaxListenersExceededWarning and leave no listener', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const stop = new AbortController();
      const pax8 = client(stop.signal);
      mode = 'hold';
      // Cold token: the first wave waits for it together, then all 500 are in flight at once.
      const calls = Array.from({ length: 500 }, (_, i) =>
        pax8.getSubscription(ref(i + 1), i % 2 ? { signal: new AbortController().signal } : {}),
      );
      await requestsSeen(500);
      expect(listeners(stop.signal)).toBe(1);
      // A request undici sends again on a fresh connection (a kept-alive one closed under it) is answered too.
      mode = 'answer';
      releaseHeld();
      await Promise.all(calls);
      // Warnings are emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
      expect(listeners(stop.signal)).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
