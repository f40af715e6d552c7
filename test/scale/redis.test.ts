/**
 * The Redis building blocks against a real redis-server at REDIS_URL: token-cache single-flight across
 * connections, the refresh-token store's lock, key layout (no secret, every key expires), NOSCRIPT after a
 * script flush, a caller's client left alone, and unreachable Redis (error or in-process fallback).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTokenCache } from '../../src/core/auth/redis-token-cache.js';
import { RedisTokenStore } from '../../src/core/auth/redis-token-store.js';
import type { AccessToken } from '../../src/core/auth/token-provider.js';
import { ConfigurationError, NetworkError } from '../../src/core/errors.js';
import { EventHub, type WarningEvent } from '../../src/core/events.js';
import { RedisBackend, closeRedisConnections } from '../../src/core/redis.js';
import { createLimiterFor, tokenCacheFor } from '../../src/core/scale.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';
import { startFakeVendor } from './fake-vendor.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('test/scale: REDIS_URL is not set, skipping the Redis tests (see README)');

const LIMIT = { requests: 50, perMs: 1_000, maxConcurrent: 5 };
const SECRET = 'pax8-scale-secret-do-not-leak';

describe('without Redis', () => {
  it('a bad redis option is a ConfigurationError; an unreachable one a NetworkError', async () => {
    const bad = createLimiterFor('pax8', 'h1', { redis: 'http://nope' }, LIMIT);
    await expect(bad.schedule(async () => 1)).rejects.toBeInstanceOf(ConfigurationError);
    await expect(new RedisBackend('http://nope').client()).rejects.toBeInstanceOf(ConfigurationError);
    expect(() =>
      createLimiterFor('pax8', 'h1', { redis: 'redis://x', redisFallback: 'maybe' as never }, LIMIT),
    ).toThrow(ConfigurationError);
    const down = createLimiterFor('pax8', 'h2', { redis: 'redis://127.0.0.1:1' }, LIMIT);
    const error = await down.schedule(async () => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).hint).toMatch(/redisFallback/);
  });

  it("falls back to in-process limits and token cache with a warning when asked ('in-process')", async () => {
    const events = new EventHub();
    const warnings: WarningEvent[] = [];
    events.on('warning', (w) => warnings.push(w));
    const opts = { redis: 'redis://127.0.0.1:1', redisFallback: 'in-process' as const };
    const limiter = createLimiterFor('pax8', 'h3', opts, LIMIT, events);
    expect(await limiter.schedule(async () => 42)).toBe(42);
    expect(await limiter.schedule(async () => 43)).toBe(43);
    const cache = tokenCacheFor(opts, events, 'pax8')!;
    const token: AccessToken = { value: 't', expiresAt: Date.now() + 60_000 };
    await cache.set('k', token);
    expect(await cache.get('k')).toEqual(token);
    expect(warnings.map((w) => w.code)).toEqual(['redis-fallback', 'redis-fallback']);
    expect(warnings[0]!.message).toMatch(/in-process/);
  });
});

describe.skipIf(!REDIS_URL)('on Redis', () => {
  let admin: Redis;
  beforeAll(async () => {
    admin = new Redis(REDIS_URL!);
    await admin.flushdb();
  });
  afterAll(async () => {
    await closeRedisConnections();
    admin.disconnect();
  });

  it('token cache: 8 concurrent cold callers on 4 connections fetch once', async () => {
    // Separate backends stand for separate processes (each has its own connections).
    const backends = [0, 1, 2, 3].map((i) => new RedisBackend(`${REDIS_URL}?p=${i}`));
    const caches = backends.map((b) => new RedisTokenCache(b));
    let fetches = 0;
    const fresh = (t: AccessToken) => t.expiresAt > Date.now() + 1_000;
    const results = await Promise.all(
      [...caches, ...caches].map((c) =>
        c.fetchOnce(
          'single-flight',
          async () => {
            fetches += 1;
            await new Promise((r) => setTimeout(r, 200));
            const t = { value: `tok-${fetches}`, expiresAt: Date.now() + 60_000 };
            await c.set('single-flight', t);
            return t;
          },
          fresh,
        ),
      ),
    );
    expect(fetches).toBe(1);
    expect(new Set(results.map((t) => t.value))).toEqual(new Set(['tok-1']));
    await caches[0]!.delete('single-flight', 'other-token');
    expect(await caches[1]!.get('single-flight')).toBeDefined();
    await caches[0]!.delete('single-flight', 'tok-1');
    expect(await caches[1]!.get('single-flight')).toBeUndefined();
    await Promise.all(backends.map((b) => b.close()));
  });

  it('refresh-token store: the lock serializes rotations across connections; set/get round-trip', async () => {
    const backends = [0, 1, 2].map((i) => new RedisBackend(`${REDIS_URL}?s=${i}`));
    const stores = backends.map((b) => new RedisTokenStore(b, { lockPollMs: 5 }));
    await stores[0]!.set('chain', { refreshToken: 'r0', updatedAt: new Date().toISOString() });
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      [...stores, ...stores].map((s) =>
        s.withLock('chain', async () => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          const cur = (await s.get('chain'))!;
          await new Promise((r) => setTimeout(r, 20));
          const n = Number(cur.refreshToken.slice(1)) + 1;
          await s.set('chain', { refreshToken: `r${n}`, updatedAt: new Date().toISOString() });
          inside -= 1;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect((await stores[2]!.get('chain'))?.refreshToken).toBe('r6');
    expect(await admin.pttl('msp:rt:chain')).toBeGreaterThan(0);
    expect(await admin.exists('msp:rt:chain:lock')).toBe(0);
    await Promise.all(backends.map((b) => b.close()));
  });

  it('a Pax8 client on Redis: keys hold hashes only and every key expires; survives SCRIPT FLUSH', async () => {
    const fake = await startFakeVendor({ limit: 1_000, windowMs: 1_000, tokenDelayMs: 10, apiDelayMs: 1 });
    try {
      const clientId = 'scale-client-id';
      const client = createPax8Client({
        credentials: { clientId, clientSecret: SECRET },
        baseUrl: fake.baseUrl,
        rateLimit: LIMIT,
        redis: REDIS_URL!,
      });
      await Promise.all([1, 2, 3, 4, 5].map((i) => client.getCustomer(`c${i}`)));
      await admin.script('FLUSH'); // as after a Redis restart: EVALSHA answers NOSCRIPT
      await Promise.all([6, 7, 8].map((i) => client.getCustomer(`c${i}`)));
      expect(fake.accepted).toHaveLength(8);
      expect(fake.tokenRequests).toBe(1);
      const keys = await admin.keys('*');
      expect(keys.filter((k) => /^msp:pax8:\{[0-9a-f]+\}:(starts|finished|state)$/.test(k))).toHaveLength(3);
      expect(keys.some((k) => k.startsWith('msp:token:'))).toBe(true);
      for (const k of keys) {
        expect(k).not.toContain(SECRET);
        expect(k).not.toContain(clientId);
        expect(k).not.toContain('tok-');
        expect(await admin.pttl(k), k).toBeGreaterThan(0);
      }
    } finally {
      await fake.close();
    }
  });

  it('never lets a late arrival put requests + 1 in one window (start k waits for finish k - requests + perMs)', async () => {
    const limiter = createLimiterFor(
      'pax8',
      'window-guard',
      { redis: REDIS_URL! },
      {
        requests: 3,
        perMs: 300,
        maxConcurrent: 3,
      },
    );
    const arrivals: number[] = [];
    // Task 0 reaches the "vendor" only as it ends, 250 ms late; the others at once. Spacing alone (100 ms)
    // would put arrivals at 100, 200, 250 and 300 in one 300 ms window.
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        limiter.schedule(async () => {
          if (i === 0) await new Promise((r) => setTimeout(r, 250));
          arrivals.push(Date.now());
          await new Promise((r) => setTimeout(r, 5));
        }),
      ),
    );
    arrivals.sort((a, b) => a - b);
    for (let k = 3; k < arrivals.length; k++) expect(arrivals[k]! - arrivals[k - 3]!).toBeGreaterThanOrEqual(300);
    await closeRedisConnections();
  });

  it("uses its own duplicate of a caller's client, shared by every limiter of the process", async () => {
    const mine = new Redis(REDIS_URL!, { connectionName: 'callers-client' });
    await mine.ping();
    const limiters = ['a', 'b', 'c'].map((h) => createLimiterFor('sherweb', h, { redis: mine }, LIMIT));
    await Promise.all(limiters.map((l) => l.schedule(async () => 1)));
    const named = String(await admin.client('LIST'))
      .split('\n')
      .filter((l: string) => l.includes('name=callers-client'));
    // The caller's own connection, plus one command connection and one subscriber for all three limiters.
    expect(named).toHaveLength(3);
    expect(named.filter((l: string) => / sub=[1-9]/.test(l))).toHaveLength(1);
    await closeRedisConnections();
    expect(mine.status).toBe('ready');
    expect(await mine.ping()).toBe('PONG');
    mine.disconnect();
  });
});
