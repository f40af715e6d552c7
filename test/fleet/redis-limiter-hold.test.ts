/**
 * A slot shared through Redis outlasts the attempt that holds it, also when the call's own `timeoutMs` is longer
 * than the client's: real redis-server (REDIS_URL; skipped with a message without it), a Pax8-shaped look-alike on
 * node:http that keeps one answer until the test lets it go, and two clients of one credential on their own Redis
 * connections (as two processes). The slot's expiry is reached by moving the clock (only `Date`, which the limiter
 * sends to its Redis scripts) past the client-wide hold, instead of waiting for it.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeRedisConnections } from '../../src/core/redis.js';
import { createPax8Client } from '../../src/providers/pax8/index.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('test/fleet: REDIS_URL not set, slot hold tests skipped');

describe.skipIf(!REDIS_URL)('clustered limiter: slot hold per call', () => {
  let server: Server;
  let origin: string;
  let inFlight = 0;
  let maxInFlight = 0;
  const arrived: string[] = [];
  let releaseSlow: (() => void) | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '';
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      req.resume();
      req.on('end', () => {
        if (req.method === 'POST' && url === '/v1/token') return send(200, { access_token: 'tok', expires_in: 3600 });
        const m = /^\/v1\/companies\/([^/?]+)$/.exec(url);
        if (req.method !== 'GET' || !m) return send(404, { message: 'not found' });
        arrived.push(m[1]!);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const answer = () => {
          inFlight -= 1;
          send(200, { id: m[1], name: `Company ${m[1]}`, status: 'Active' });
        };
        if (m[1] === 'slow') releaseSlow = answer;
        else setTimeout(answer, 5);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    releaseSlow?.();
    await closeRedisConnections();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("keeps the slot of a call whose timeoutMs outlasts the client's: another process waits for it", async () => {
    const clientId = `hold-${Date.now()}`;
    const client = (conn: string) =>
      createPax8Client({
        credentials: { clientId, clientSecret: 'hold-secret' },
        baseUrl: `${origin}/v1`,
        tokenUrl: `${origin}/v1/token`,
        // One request at a time for the credential, fleet-wide; the client-wide hold is 1 s + 0.5 s + 5 s.
        rateLimit: { requests: 1_000, perMs: 1_000, maxConcurrent: 1 },
        timeoutMs: 500,
        redis: `${REDIS_URL}?hold=${conn}`,
      });
    const a = client('a');
    const b = client('b');
    // Warm both (token cached in Redis, connections and scripts loaded): the test is about the slot only.
    await a.getCustomer('warm-a');
    await b.getCustomer('warm-b');
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const slow = a.getCustomer('slow', { timeoutMs: 60_000 });
    await vi.waitFor(() => expect(releaseSlow).toBeDefined(), { timeout: 5_000, interval: 5 });
    // 10 s later (past the client-wide hold of 6.5 s, well within the call's 60 s), the slow answer still pending.
    vi.setSystemTime(Date.now() + 10_000);
    const next = b.getCustomer('next');
    // `b` asks for the slot when its call starts (and again only on a wake-up or after 1 s). Give it time to
    // (wrongly) get the slot: its start is one Redis round trip, its request one loopback request.
    await new Promise((r) => setTimeout(r, 400));
    expect(arrived.filter((id) => id === 'next')).toEqual([]);
    releaseSlow!();
    releaseSlow = undefined;
    expect((await slow).id).toBe('slow');
    expect((await next).id).toBe('next');
    expect(maxInFlight).toBe(1);
    expect(arrived.slice(-2)).toEqual(['slow', 'next']);
  });
});
