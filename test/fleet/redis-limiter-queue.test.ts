/**
 * The fleet limiter's waiting (src/core/redis-limiter.ts) on a real redis-server (REDIS_URL; skipped with a message
 * without it): a process's refused starts run in order; a start refused by a slot that no release will ever free
 * (its process died) starts when the slot's hold ends, by the limiter's own re-check; closing the connections or a
 * Redis outage fails a waiting call (or runs it in-process when asked) instead of leaving it hanging; and a call
 * keeps nothing behind once it ended (no outage listener per call, which a raced pending promise would).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisTokenCache } from '../../src/core/auth/redis-token-cache.js';
import { RedisTokenStore } from '../../src/core/auth/redis-token-store.js';
import { NetworkError } from '../../src/core/errors.js';
import { EventHub, type WarningEvent } from '../../src/core/events.js';
import type { RateLimit } from '../../src/core/limiter.js';
import { REDIS_OUTAGE_MS, RedisBackend, closeRedisConnections, redisBackend } from '../../src/core/redis.js';
import { createClusteredLimiter } from '../../src/core/redis-limiter.js';
import { haveRedisServer, startOwnRedis } from '../scale/own-redis.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('test/fleet: REDIS_URL not set, fleet limiter queue tests skipped');

const ONE_AT_A_TIME: RateLimit = { requests: 100_000, perMs: 1_000, maxConcurrent: 1 };

const limiterOn = (backend: RedisBackend, credentialHash: string, options: { events?: EventHub } = {}) =>
  createClusteredLimiter({
    provider: 'pax8',
    credentialHash,
    limit: ONE_AT_A_TIME,
    backend,
    fallback: 'error',
    ...options,
  });

describe.skipIf(!REDIS_URL)('fleet limiter: waiting starts', () => {
  afterAll(async () => {
    await closeRedisConnections();
  });

  it("runs a process's refused starts in the order they were asked for", async () => {
    const limiter = limiterOn(new RedisBackend(`${REDIS_URL}?q=fifo`), `fifo-${Date.now()}`);
    await limiter.schedule(async () => undefined);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        limiter.schedule(async () => {
          order.push(i);
          await new Promise((r) => setTimeout(r, 5));
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts when the slot of a process that died is freed by its hold, with no release to wake it', async () => {
    const hash = `dead-${Date.now()}`;
    const limiter = limiterOn(new RedisBackend(`${REDIS_URL}?q=dead`), hash);
    await limiter.schedule(async () => undefined);
    // The only slot, taken by a "process" that dies: held 600 ms, never released, so no wake-up is published.
    const admin = new Redis(REDIS_URL!);
    const heldUntil = Date.now() + 600;
    await admin.zadd(`msp:pax8:{${hash}}:slots`, heldUntil, 'dead-process.1');
    admin.disconnect();
    const startedAt = await limiter.schedule(async () => Date.now());
    expect(startedAt).toBeGreaterThanOrEqual(heldUntil);
    // Asked again when the hold ends (the refusal says when), not after a long poll.
    expect(startedAt - heldUntil).toBeLessThan(500);
  });

  it('works without wake-ups when subscribing is refused: calls go on, a refused start asks again itself', async () => {
    // A Redis user that may run scripts but not SUBSCRIBE (an ACL, as a managed Redis may set).
    const admin = new Redis(REDIS_URL!);
    const user = `msp-nosub-${Date.now()}`;
    await admin.call('ACL', 'SETUSER', user, 'on', '>nosub-pw', '~*', '&*', '+@all', '-subscribe', '-psubscribe');
    try {
      const url = new URL(REDIS_URL!);
      url.username = user;
      url.password = 'nosub-pw';
      const limiter = limiterOn(new RedisBackend(url.toString()), `nosub-${Date.now()}`);
      const order: number[] = [];
      // maxConcurrent 1: the second and third start are refused while the first runs, and no release wakes them.
      await Promise.all(
        [0, 1, 2].map((i) =>
          limiter.schedule(async () => {
            order.push(i);
            await new Promise((r) => setTimeout(r, 20));
          }),
        ),
      );
      expect(order).toEqual([0, 1, 2]);
    } finally {
      await closeRedisConnections();
      await admin.call('ACL', 'DELUSER', user);
      admin.disconnect();
    }
  });

  it('leaves no outage listener behind once calls end (limiter, token cache, refresh-token store)', async () => {
    // Each call used to race a pending "outage" promise: one reaction per call, holding the call's result, kept
    // while Redis stayed up (measured 28 MB per 20,000 limiter calls with 2 KB results).
    const backend = new RedisBackend(`${REDIS_URL}?q=listeners`);
    const limiter = limiterOn(backend, `listeners-${Date.now()}`);
    await Promise.all(Array.from({ length: 300 }, () => limiter.schedule(async () => undefined)));
    const cache = new RedisTokenCache(backend);
    const store = new RedisTokenStore(backend);
    await Promise.all(Array.from({ length: 100 }, (_, i) => cache.get(`listeners-${i}`)));
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.get(`listeners-${i}`)));
    expect(backend.outageListenerCount).toBe(0);
  });

  it('fails a waiting call when the connections are closed, instead of leaving it waiting; works again after', async () => {
    // The process-wide backend of the URL, as a client gets it: closeRedisConnections() closes its connections.
    const limiter = limiterOn(redisBackend(`${REDIS_URL}?q=close`), `close-${Date.now()}`);
    let releaseFirst!: () => void;
    const first = limiter.schedule(() => new Promise<string>((r) => (releaseFirst = () => r('first'))));
    await new Promise((r) => setTimeout(r, 50));
    let ran = false;
    const waiting = limiter.schedule(async () => {
      ran = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    await closeRedisConnections();
    await expect(waiting).rejects.toBeInstanceOf(NetworkError);
    releaseFirst();
    expect(await first).toBe('first');
    expect(ran).toBe(false);
    // The same limiter after the close: its next call connects afresh (as a client kept across a shutdown would),
    // also once the closed connection has been gone for longer than an outage takes (closed on purpose: no outage).
    await new Promise((r) => setTimeout(r, REDIS_OUTAGE_MS + 300));
    expect(await limiter.schedule(async () => 'again')).toBe('again');
  }, 15_000);
});

describe.skipIf(!REDIS_URL || !haveRedisServer())('fleet limiter: Redis lost while a call waits', () => {
  it('fails the waiting call with NetworkError, or runs it in-process with a warning when asked', async () => {
    const own = await startOwnRedis();
    try {
      const events = new EventHub();
      const warnings: WarningEvent[] = [];
      events.on('warning', (w) => warnings.push(w));
      const hash = `outage-${Date.now()}`;
      const strict = limiterOn(new RedisBackend(`${own.url}?q=a`), hash);
      const lenient = createClusteredLimiter({
        provider: 'pax8',
        credentialHash: hash,
        limit: ONE_AT_A_TIME,
        backend: new RedisBackend(`${own.url}?q=b`),
        fallback: 'in-process',
        events,
      });
      let releaseFirst!: () => void;
      const first = strict.schedule(() => new Promise<string>((r) => (releaseFirst = () => r('first'))));
      await new Promise((r) => setTimeout(r, 100));
      const waitingStrict = strict.schedule(async () => 'strict ran');
      const waitingLenient = lenient.schedule(async () => 'ran in-process');
      await new Promise((r) => setTimeout(r, 100));
      await own.stop();
      const lostAt = Date.now();
      // Lost for longer than REDIS_OUTAGE_MS (5 s): the waiting calls stop waiting for a slot nobody can free. Left
      // to ioredis's own retries instead, a queued call would fail only after about 10 s.
      await expect(waitingStrict).rejects.toBeInstanceOf(NetworkError);
      expect(Date.now() - lostAt).toBeLessThan(REDIS_OUTAGE_MS + 4_000);
      expect(await waitingLenient).toBe('ran in-process');
      expect(warnings.map((w) => w.code)).toEqual(['redis-fallback']);
      releaseFirst();
      expect(await first).toBe('first');
    } finally {
      await own.stop();
      await closeRedisConnections();
    }
  }, 20_000);
});
