/**
 * Attempt timeouts on the shared timer (core/attempt-timer.ts, issue 21), through the public
 * client: a hanging request is aborted at its timeout (fake time), a per-call timeoutMs shorter than a pending
 * call's still fires first, the caller's signal still aborts the fetch, no timer keeps the process alive after the
 * calls settle, and every attempt has a signal of its own (never one a previous request's fetch may still hold); and
 * the auth headers read before
 * queueing are used only by a call the limiter started at once, never by one that waited while the token was refused.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  attemptSignal,
  attemptTimerKeepsAlive,
  pendingAttempts,
  makeAttemptSignalAhead,
} from '../../src/core/attempt-timer.js';
import { TimeoutError } from '../../src/core/errors.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';
import { JSON_HEADERS, REF, SUBSCRIPTION, tokenBody } from '../helpers/pax8-in-memory.js';

const TOKEN = tokenBody('attempt-timer-token');
/** The shared timer and the transport read deadlines from performance.now(): fake it with the timers. */
const FAKE = ['setTimeout', 'clearTimeout', 'performance'] as const;

/** What the client handed to fetch, per API request. */
interface Sent {
  signal: AbortSignal;
  /** Abort listeners on the signal when fetch was called (before this request added any). */
  listenersBefore: number;
  answer: () => void;
}

/**
 * A fetch that answers token requests at once and holds every API request until `answer()` or its signal
 * aborts; it adds an abort listener like undici does, and never removes it.
 */
function holdingFetch(sent: Sent[]): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (url.endsWith('/token')) return Promise.resolve(new Response(TOKEN, { status: 200, headers: JSON_HEADERS }));
    const signal = init?.signal as AbortSignal;
    return new Promise<Response>((resolve, reject) => {
      const entry: Sent = {
        signal,
        listenersBefore: countListeners(signal),
        answer: () => resolve(new Response(SUBSCRIPTION, { status: 200, headers: JSON_HEADERS })),
      };
      sent.push(entry);
      signal.addEventListener('abort', () => reject(signal.reason));
    });
  }) as typeof fetch;
}

/** Abort listeners on a signal (node's getEventListeners, as the pool reads them). */
function countListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

function client(fetch: typeof globalThis.fetch, timeoutMs = 1_000) {
  return createPax8Client({
    credentials: { clientId: 'attempt-timer', clientSecret: `secret-${Math.random()}` },
    baseUrl: 'http://127.0.0.1:9/v1',
    rateLimit: false,
    retry: { retries: 0 },
    timeoutMs,
    fetch,
  });
}

/** Lets pending promise callbacks run (no timers). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

afterEach(() => {
  vi.useRealTimers();
});

describe('attempt timeouts on the shared timer', () => {
  it('aborts a hanging request at its timeout on fake time, not before; a shorter per-call timeout fires first', async () => {
    vi.useFakeTimers({ toFake: [...FAKE] });
    const sent: Sent[] = [];
    const c = client(holdingFetch(sent), 1_000);
    let longDone: unknown;
    const long = c.getSubscription(REF).then(
      () => 'answered',
      (e: unknown) => e,
    );
    void long.then((r) => {
      longDone = r;
    });
    await vi.advanceTimersByTimeAsync(100);
    let shortDone: unknown;
    const short = c.getSubscription(REF, { timeoutMs: 200 }).then(
      () => 'answered',
      (e: unknown) => e,
    );
    void short.then((r) => {
      shortDone = r;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(2);
    expect(pendingAttempts()).toBe(2);
    expect(attemptTimerKeepsAlive()).toBe(true);

    await vi.advanceTimersByTimeAsync(198); // t = 298: the per-call 200 ms timeout (from t = 100) has not passed
    expect(shortDone).toBeUndefined();
    expect(sent[1]!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(3); // t = 301
    expect(await short).toBeInstanceOf(TimeoutError);
    expect(sent[1]!.signal.aborted).toBe(true);
    expect((sent[1]!.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(longDone).toBeUndefined();
    expect(sent[0]!.signal.aborted).toBe(false);

    await vi.advanceTimersByTimeAsync(697); // t = 998
    expect(longDone).toBeUndefined();
    await vi.advanceTimersByTimeAsync(3); // t = 1001
    expect(await long).toBeInstanceOf(TimeoutError);
    expect(sent[0]!.signal.aborted).toBe(true);
    expect(pendingAttempts()).toBe(0);
    expect(attemptTimerKeepsAlive()).toBe(false);
  });

  it("the caller's signal still aborts the fetch, with the caller's reason", async () => {
    const sent: Sent[] = [];
    const c = client(holdingFetch(sent), 60_000);
    const caller = new AbortController();
    const call = c.getSubscription(REF, { signal: caller.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    const reason = new Error('stopped by the caller');
    caller.abort(reason);
    expect(sent[0]!.signal.aborted).toBe(true);
    expect(await call).toBe(reason);
    expect(pendingAttempts()).toBe(0);
    expect(attemptTimerKeepsAlive()).toBe(false);
  });

  it('no timer keeps the process alive once the calls settled (answered, timed out or aborted)', async () => {
    const sent: Sent[] = [];
    const c = client(holdingFetch(sent), 60_000);
    const calls = [c.getSubscription(REF), c.getSubscription(REF), c.getSubscription(REF)];
    await vi.waitFor(() => expect(sent).toHaveLength(3));
    expect(attemptTimerKeepsAlive()).toBe(true);
    for (const s of sent) s.answer();
    await Promise.all(calls);
    expect(pendingAttempts()).toBe(0);
    expect(attemptTimerKeepsAlive()).toBe(false);
  });
});

describe('attempt signals', () => {
  it('every attempt gets a signal of its own, never one an earlier fetch was handed (it may still hold it)', async () => {
    const sent: Sent[] = [];
    const c = client(holdingFetch(sent), 60_000);
    for (let i = 0; i < 3; i++) {
      const call = c.getSubscription(REF);
      await vi.waitFor(() => expect(sent).toHaveLength(i + 1));
      sent[i]!.answer();
      await call;
    }
    expect(new Set(sent.map((s) => s.signal)).size).toBe(3);
    // A signal kept by a caller's fetch after its answer was read never aborts because of a later attempt.
    expect(sent.every((s) => !s.signal.aborted)).toBe(true);
  });

  it('a controller made ahead while a request is on the wire is brand new when the next attempt takes it', async () => {
    const sent: Sent[] = [];
    const c = client(holdingFetch(sent), 60_000);
    // Two calls in flight at once, then one after the other: each made ahead at most one controller.
    const first = [c.getSubscription(REF), c.getSubscription(REF)];
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    await settle();
    for (const s of sent) s.answer();
    await Promise.all(first);
    for (let i = 2; i < 5; i++) {
      const call = c.getSubscription(REF);
      await vi.waitFor(() => expect(sent).toHaveLength(i + 1));
      await settle();
      sent[i]!.answer();
      await call;
    }
    expect(new Set(sent.map((s) => s.signal)).size).toBe(5);
    // Handed to fetch with no listener of anyone else and not aborted: never used before.
    expect(sent.map((s) => s.listenersBefore)).toEqual([0, 0, 0, 0, 0]);
    expect(sent.every((s) => !s.signal.aborted)).toBe(true);
  });

  it('makeAttemptSignalAhead keeps one spare, and an attempt that takes it gets a signal no other attempt has', async () => {
    makeAttemptSignalAhead();
    makeAttemptSignalAhead();
    await settle();
    const a = attemptSignal(undefined, 60_000);
    const b = attemptSignal(undefined, 60_000);
    makeAttemptSignalAhead();
    await settle();
    const c = attemptSignal(undefined, 60_000);
    expect(new Set([a.signal, b.signal, c.signal]).size).toBe(3);
    a.dispose();
    b.dispose();
    c.dispose();
    // A caller's abort reaches only its own attempt, never the spare made after it.
    const caller = new AbortController();
    const d = attemptSignal(caller.signal, 60_000);
    makeAttemptSignalAhead();
    await settle();
    caller.abort(new Error('caller'));
    const e = attemptSignal(undefined, 60_000);
    expect(d.signal.aborted).toBe(true);
    expect(e.signal.aborted).toBe(false);
    e.dispose();
    expect(pendingAttempts()).toBe(0);
  });
});

describe('the auth headers read before queueing', () => {
  it('are not sent by a call that waited in the limiter queue while the token was refused (401)', async () => {
    let tokens = 0;
    const sentWith: string[] = [];
    let holdFirst: ((r: Response) => void) | undefined;
    const fetch = ((input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      if (url.endsWith('/token')) {
        tokens += 1;
        const body = JSON.stringify({ access_token: `queued-token-${tokens}`, expires_in: 3600, token_type: 'Bearer' });
        return Promise.resolve(new Response(body, { status: 200, headers: JSON_HEADERS }));
      }
      const auth = ((init?.headers ?? {}) as Record<string, string>).authorization ?? '';
      sentWith.push(auth);
      if (sentWith.length === 1) return new Promise<Response>((resolve) => (holdFirst = resolve));
      return Promise.resolve(new Response(SUBSCRIPTION, { status: 200, headers: JSON_HEADERS }));
    }) as typeof globalThis.fetch;
    const c = createPax8Client({
      credentials: { clientId: 'attempt-timer-queue', clientSecret: `secret-${Math.random()}` },
      baseUrl: 'http://127.0.0.1:9/v1',
      rateLimit: { requests: 1_000, perMs: 1_000, maxConcurrent: 1 },
      fetch,
    });
    const first = c.getSubscription(REF);
    await vi.waitFor(() => expect(holdFirst).toBeDefined());
    // The second call reads the (still cached) token, then waits for the only slot.
    const second = c.getSubscription(REF);
    await settle();
    expect(sentWith).toHaveLength(1);
    holdFirst!(new Response('{"message":"token expired"}', { status: 401, headers: JSON_HEADERS }));
    await Promise.all([first, second]);
    // Only the held request carried the refused token; the queued call read the new one in its slot.
    expect(sentWith.filter((a) => a === 'Bearer queued-token-1')).toHaveLength(1);
    expect(sentWith.slice(1).every((a) => a === 'Bearer queued-token-2')).toBe(true);
  });
});
