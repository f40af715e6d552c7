/**
 * The clustered limiter (src/core/redis-limiter.ts) on a real redis-server (REDIS_URL; skipped with a message
 * without it), as fleet workers use it: three limiters of one credential, each on its own Redis connections (as
 * three processes would be), send to a node:http server that counts what arrives. The shared `maxConcurrent` and
 * the rolling window are never exceeded at the server, and a waiter on another connection is woken by the release
 * (pub/sub), not by its periodic re-check. A caller gets its answer without waiting for the release's round
 * trip, and its next call still finds the slot free (the release is on the connection first).
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimit } from '../../src/core/limiter.js';
import { RedisBackend, closeRedisConnections } from '../../src/core/redis.js';
import { createClusteredLimiter } from '../../src/core/redis-limiter.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('test/fleet: REDIS_URL not set, clustered limiter tests skipped');

describe.skipIf(!REDIS_URL)('clustered limiter across connections', () => {
  let server: Server;
  let origin: string;
  let inFlight = 0;
  let maxInFlight = 0;
  const log: { arrived: number; answered: number }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      const hold = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('hold') ?? 0);
      const arrived = Date.now();
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        log.push({ arrived, answered: Date.now() });
        res.end('ok');
      }, hold);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await closeRedisConnections();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** Three limiters of one credential (a fresh one per test), each on its own connections. */
  const limiters = (credentialHash: string, limit: RateLimit) =>
    [0, 1, 2].map((i) =>
      createClusteredLimiter({
        provider: 'pax8',
        credentialHash,
        limit,
        backend: new RedisBackend(`${REDIS_URL}?conn=${credentialHash}-${i}`),
        fallback: 'error',
      }),
    );
  const call = (hold: number) => fetch(`${origin}/?hold=${hold}`).then((r) => r.text());

  it('never has more than maxConcurrent in flight, nor requests + 1 arrivals in a rolling window', async () => {
    log.length = 0;
    maxInFlight = 0;
    const all = limiters(`cap-${Date.now()}`, { requests: 4, perMs: 400, maxConcurrent: 2 });
    // 9 calls over 3 connections, 350 ms each: spacing alone (100 ms) would have 4 in flight and start call 4 at
    // 400 ms, before call 0's answer + 400 ms; per-connection slots would allow 2 x 3 in flight.
    await Promise.all(Array.from({ length: 9 }, (_, i) => all[i % 3]!.schedule(() => call(350))));
    expect(log).toHaveLength(9);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(maxInFlight).toBe(2);
    const byArrival = [...log].sort((a, b) => a.arrived - b.arrived);
    for (let k = 4; k < byArrival.length; k++) {
      // The vendor counted call k - 4 before answering it: call k arrives at least a window after that answer.
      expect(byArrival[k]!.arrived - byArrival[k - 4]!.answered, `arrival ${k}`).toBeGreaterThanOrEqual(400);
    }
  });

  it("sends a slot's release before handing the answer back: the caller's next call finds the slot free", async () => {
    const hash = `next-${Date.now()}`;
    const [limiter] = limiters(hash, { requests: 100_000, perMs: 1_000, maxConcurrent: 1 });
    await limiter!.schedule(async () => undefined);
    // A release publishes a wake-up only when a start was refused since the last one: a next call that overtook
    // the release of the previous one (sent before it) would find the only slot taken and be refused.
    const { Redis } = await import('ioredis');
    const watcher = new Redis(REDIS_URL!);
    const hand_offs: string[] = [];
    try {
      await watcher.subscribe(`msp:pax8:{${hash}}:free`);
      watcher.on('message', (_channel: string, message: string) => hand_offs.push(message));
      for (let i = 0; i < 10; i++) await limiter!.schedule(() => call(5));
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      watcher.disconnect();
    }
    expect(hand_offs).toEqual([]);
  });

  it('wakes a waiter on another connection when the slot is released, not on a timer', async () => {
    const [a, b] = limiters(`wake-${Date.now()}`, { requests: 100_000, perMs: 1_000, maxConcurrent: 1 });
    // Warm both (connections, scripts) so the measure is the hand-over only.
    await a!.schedule(async () => undefined);
    await b!.schedule(async () => undefined);
    let releasedAt = 0;
    const first = a!.schedule(async () => {
      await call(1_500);
      releasedAt = Date.now();
    });
    // Queued behind `first` (it holds the only slot) on its own connection.
    await new Promise((r) => setTimeout(r, 50));
    const startedAt = await b!.schedule(async () => Date.now());
    await first;
    expect(startedAt).toBeGreaterThanOrEqual(releasedAt);
    // A waiter left to its re-check (every 1 s from its refusal at about 50 ms: 1,050, 2,050) would start about
    // 550 ms after the release at about 1,500; a woken one starts a few Redis round trips after it.
    expect(startedAt - releasedAt).toBeLessThan(350);
  });
});
