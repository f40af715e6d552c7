import fc from 'fast-check';
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { CachedTokenProvider, refreshMarginMs } from '../../src/core/auth/cached-token-provider.js';
import { MemoryTokenCache } from '../../src/core/auth/token-provider.js';
import {
  NetworkError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  ValidationError,
} from '../../src/core/errors.js';
import { EventHub } from '../../src/core/events.js';
import { retryAfterMs } from '../../src/core/http-errors.js';
import { KeyedMutex } from '../../src/core/keyed-mutex.js';
import { PagedList } from '../../src/core/pagination.js';
import { Redactor, Secret } from '../../src/core/redact.js';
import { backoffDelay, isRetryable, withRetries } from '../../src/core/retry.js';
import { vendorDate } from '../../src/core/wire.js';

describe('PagedList', () => {
  const pages = (n: number, size: number) =>
    new PagedList<number>(async (cursor) => {
      const i = cursor === undefined ? 0 : Number(cursor);
      return {
        items: Array.from({ length: size }, (_, k) => i * size + k),
        nextCursor: i + 1 < n ? String(i + 1) : undefined,
      };
    });

  it('iterates items lazily and resumes from a cursor', async () => {
    const fetched: Array<string | undefined> = [];
    const list = new PagedList<number>(async (cursor) => {
      fetched.push(cursor);
      const i = cursor === undefined ? 0 : Number(cursor);
      return { items: [i], nextCursor: i < 9 ? String(i + 1) : undefined };
    });
    expect(await list.toArray({ limit: 2 })).toEqual([0, 1]);
    expect(fetched).toEqual([undefined, '1']);
    const resumed = [];
    for await (const p of list.byPage({ cursor: '8' })) resumed.push(...p.items);
    expect(resumed).toEqual([8, 9]);
    expect(await pages(3, 4).toArray({ limit: Number.POSITIVE_INFINITY })).toHaveLength(12);
  });

  it('requires a limit to collect, and stops a vendor that repeats its cursor', async () => {
    await expect(pages(1, 1).toArray({} as { limit: number })).rejects.toThrow(ValidationError);
    const loop = new PagedList<number>(async () => ({ items: [1], nextCursor: 'same' }));
    await expect(loop.toArray({ limit: 100 })).rejects.toThrow(ResponseValidationError);
  });
});

describe('retries', () => {
  const ctx = (policy: 'read' | 'write') => ({
    policy,
    options: { retries: 3, baseDelayMs: 1, maxDelayMs: 2 },
    events: new EventHub(),
    provider: 't',
    operation: 'op',
    requestId: 'r',
  });

  it('reads retry retryable errors up to the budget; writes only retry 429', async () => {
    let n = 0;
    await expect(
      withRetries(async () => {
        n++;
        throw new ServerError('boom');
      }, ctx('read')),
    ).rejects.toThrow(ServerError);
    expect(n).toBe(4);
    n = 0;
    await expect(
      withRetries(async () => {
        n++;
        throw new NetworkError('reset');
      }, ctx('write')),
    ).rejects.toThrow(NetworkError);
    expect(n).toBe(1);
    n = 0;
    const ok = await withRetries(async () => {
      n++;
      if (n < 3) throw new RateLimitError('slow down', { retryAfterMs: 1 });
      return 'done';
    }, ctx('write'));
    expect(ok).toBe('done');
  });

  it('backoff is jittered and capped; Retry-After parses seconds and dates', () => {
    expect(backoffDelay(10, 500, 30_000, () => 0.999)).toBeLessThanOrEqual(30_000);
    expect(backoffDelay(0, 500, 30_000, () => 0.5)).toBe(250);
    expect(isRetryable(new ServerError('x'), 'write')).toBe(false);
    expect(retryAfterMs(new Headers({ 'retry-after': '7' }))).toBe(7000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });

  it('an abort stops the wait at once', async () => {
    const ac = new AbortController();
    const p = withRetries(
      async () => {
        throw new RateLimitError('wait', { retryAfterMs: 60_000 });
      },
      { ...ctx('read'), signal: ac.signal },
    );
    setTimeout(() => ac.abort(new Error('stop')), 5);
    await expect(p).rejects.toThrow('stop');
  });
});

describe('tokens', () => {
  it('single-flight, refresh before expiry, evict only the stale token', async () => {
    let now = 1_000_000;
    let calls = 0;
    const cache = new MemoryTokenCache();
    const p = new CachedTokenProvider({
      provider: 't',
      cacheKey: 'k',
      cache,
      now: () => now,
      fetchToken: async () => {
        calls++;
        return { accessToken: `tok-${calls}`, expiresInSeconds: 3600 };
      },
    });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => p.getToken()));
    expect(new Set(tokens.map((t) => t.value))).toEqual(new Set(['tok-1']));
    expect(calls).toBe(1);
    now += 3600_000 - refreshMarginMs(3600_000) + 1;
    expect((await p.getToken()).value).toBe('tok-2');
    p.invalidate('tok-1'); // stale: ignored
    expect((await p.getToken()).value).toBe('tok-2');
    p.invalidate('tok-2');
    expect((await p.getToken()).value).toBe('tok-3');
  });
});

describe('redaction', () => {
  it('hides secrets in clear, URL-encoded and base64 forms, and in inspect/JSON', () => {
    const r = new Redactor();
    const secret = 'p@ss word/with+chars';
    r.add(new Secret(secret));
    r.addBasic('user', secret);
    const leaks = [
      secret,
      encodeURIComponent(secret),
      Buffer.from(secret).toString('base64'),
      Buffer.from(`user:${secret}`).toString('base64'),
    ];
    for (const leak of leaks) expect(r.redact(`x ${leak} y`)).toBe('x [REDACTED] y');
    const s = new Secret(secret);
    expect(String(s)).toBe('[REDACTED]');
    expect(JSON.stringify({ s })).not.toContain(secret);
    expect(inspect({ s })).not.toContain(secret);
    expect(r.redactValue({ password: 'short', nested: { note: `has ${secret}` } })).toEqual({
      password: '[REDACTED]',
      nested: { note: 'has [REDACTED]' },
    });
  });
});

describe('misc', () => {
  it('vendor dates are lenient but never silent about garbage', () => {
    const ctx = { provider: 't', operation: 'o' };
    expect(vendorDate('2020-12-03', 'd', ctx)).toBe('2020-12-03T00:00:00.000Z');
    expect(vendorDate('2020-12-01T13:20:13.153-0700', 'd', ctx)).toBe('2020-12-01T20:20:13.153Z');
    expect(vendorDate('2020-12-01T13:20:13', 'd', ctx)).toBe('2020-12-01T13:20:13.000Z');
    expect(vendorDate('', 'd', ctx)).toBeNull();
    expect(() => vendorDate('soon', 'd', ctx)).toThrow(ResponseValidationError);
  });

  it('vendor dates with a zone (the fast path) normalise to UTC and still refuse impossible dates', () => {
    const ctx = { provider: 't', operation: 'o' };
    expect(vendorDate('2024-01-15T00:00:00Z', 'd', ctx)).toBe('2024-01-15T00:00:00.000Z');
    expect(vendorDate('2024-01-15T10:22:31.1234567Z', 'd', ctx)).toBe('2024-01-15T10:22:31.123Z');
    expect(vendorDate('2024-01-15T10:22:31.153+07:00', 'd', ctx)).toBe('2024-01-15T03:22:31.153Z');
    expect(vendorDate(' 2024-01-15T00:00:00Z ', 'd', ctx)).toBe('2024-01-15T00:00:00.000Z');
    expect(() => vendorDate('2024-13-45T00:00:00Z', 'd', ctx)).toThrow(ResponseValidationError);
  });

  it('vendor dates in UTC (built from the text, no Date) equal what Date.toISOString prints, rollovers included', () => {
    const ctx = { provider: 't', operation: 'o' };
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
        (y, mo, d, h, mi, se, frac) => {
          const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(se, 2)}${frac === undefined ? '' : `.${frac}`}Z`;
          const date = new Date(text);
          if (Number.isNaN(date.getTime())) {
            expect(() => vendorDate(text, 'd', ctx)).toThrow(ResponseValidationError);
          } else {
            expect(vendorDate(text, 'd', ctx)).toBe(date.toISOString());
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(vendorDate('2024-02-29T10:00:00Z', 'd', ctx)).toBe('2024-02-29T10:00:00.000Z');
    expect(vendorDate('2024-02-30T00:00:00Z', 'd', ctx)).toBe('2024-03-01T00:00:00.000Z');
  });

  it('KeyedMutex serializes per key', async () => {
    const m = new KeyedMutex();
    const order: string[] = [];
    const slow = (id: string, ms: number) => async () => {
      order.push(`start ${id}`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`end ${id}`);
    };
    await Promise.all([m.run('a', slow('1', 10)), m.run('a', slow('2', 1)), m.run('b', slow('3', 1))]);
    expect(order.indexOf('end 1')).toBeLessThan(order.indexOf('start 2'));
  });

  it('an event listener that throws does not break the emitter', () => {
    const hub = new EventHub();
    const seen = vi.fn();
    hub.on('warning', () => {
      throw new Error('observer bug');
    });
    hub.on('warning', seen);
    hub.emit('warning', { provider: 'p', code: 'c', message: 'm' });
    expect(seen).toHaveBeenCalledOnce();
  });
});
