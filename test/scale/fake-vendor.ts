/**
 * A time-compressed Pax8 on node:http for the multi-process tests: a token endpoint that counts requests and
 * answers slowly (so cold processes race), and `GET /v1/companies/:id` under a rolling-window limit that
 * answers 429 past it. Rolling is the strictest reading of "N per window": it also holds every fixed window.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options of {@link startFakeVendor}. */
export interface FakeVendorOptions {
  limit: number;
  windowMs: number;
  /** Delay of a token answer (default 300 ms). */
  tokenDelayMs?: number;
  /** Delay of an API answer (default 15 ms). */
  apiDelayMs?: number;
}

/** A running fake and what it saw. */
export interface FakeVendor {
  baseUrl: string;
  tokenRequests: number;
  /** Arrival times of the API requests it accepted. */
  accepted: number[];
  /** Accepted API requests per customer id (the fleet's workers ask for `c-<pid>`). */
  acceptedBy: Map<string, number>;
  /** API requests answered 429. */
  rejected: number;
  /** The most accepted requests in any window of `windowMs`. */
  maxInWindow(): number;
  close(): Promise<void>;
}

/** Starts the fake on a free loopback port. */
export async function startFakeVendor(o: FakeVendorOptions): Promise<FakeVendor> {
  const tokenDelay = o.tokenDelayMs ?? 300;
  const apiDelay = o.apiDelayMs ?? 15;
  const state = { tokenRequests: 0, accepted: [] as number[], rejected: 0, acceptedBy: new Map<string, number>() };
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && url === '/v1/token') {
        state.tokenRequests += 1;
        setTimeout(() => send(200, { access_token: `tok-${state.tokenRequests}`, expires_in: 3600 }), tokenDelay);
        return;
      }
      // Lets a worker load and run its HTTP stack before the measured run (not an API call: never counted).
      if (url === '/v1/warm-up') return send(200, { ok: true });
      const m = /^\/v1\/companies\/([^/?]+)/.exec(url);
      if (req.method === 'GET' && m) {
        if (!req.headers.authorization?.startsWith('Bearer tok-')) return send(401, { message: 'no token' });
        const now = Date.now();
        const inWindow = state.accepted.filter((t) => t > now - o.windowMs).length;
        if (inWindow >= o.limit) {
          state.rejected += 1;
          return send(429, { message: 'Too many requests' }, { 'retry-after': '1' });
        }
        state.accepted.push(now);
        state.acceptedBy.set(m[1]!, (state.acceptedBy.get(m[1]!) ?? 0) + 1);
        setTimeout(() => send(200, { id: m[1], name: 'Fleet Co', status: 'Active' }), apiDelay);
        return;
      }
      send(404, { message: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get tokenRequests() {
      return state.tokenRequests;
    },
    get accepted() {
      return state.accepted;
    },
    get rejected() {
      return state.rejected;
    },
    get acceptedBy() {
      return state.acceptedBy;
    },
    maxInWindow() {
      const a = state.accepted;
      let max = 0;
      let start = 0;
      for (let end = 0; end < a.length; end++) {
        while (a[end]! - a[start]! >= o.windowMs) start++;
        max = Math.max(max, end - start + 1);
      }
      return max;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
