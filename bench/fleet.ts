/**
 * `fleet-rate-limit-utilisation`: 4 processes share one Pax8 credential through Redis (the fleet of test/scale,
 * driven from here) against a look-alike enforcing 60 requests per rolling 5 s window (Pax8's limit, scaled down
 * so the bench stays short). The figure: accepted requests in the window that starts with the first accepted one,
 * over the limit (goal >= 0.90 with 0 × 429). Needs Redis: without `REDIS_URL` it prints the figure as skipped.
 */
import { randomUUID } from 'node:crypto';
import { startFakeVendor } from '../test/scale/fake-vendor.js';
import { runFleet, waitFor } from '../test/scale/fleet.js';
import { type Figure, figure, round } from './lib.js';

const NAME = 'fleet-rate-limit-utilisation';
const WORKERS = 4;
const LIMIT = { requests: 60, perMs: 5_000, maxConcurrent: 10 };
const GOAL = 0.9;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function run(): Promise<Figure[]> {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) return [{ ...figure(NAME, 0, 'fraction', null), skipped: 'REDIS_URL not set' }];
  // A credential of its own (its hash keys the limiter and token in Redis): no state from earlier runs.
  process.env.FLEET_SECRET = `bench-fleet-${randomUUID()}`;
  const vendor = await startFakeVendor({ limit: LIMIT.requests, windowMs: LIMIT.perMs });
  try {
    let go = 0;
    let first = 0;
    const reports = await runFleet({
      workers: WORKERS,
      baseUrl: vendor.baseUrl,
      redisUrl,
      rateLimit: LIMIT,
      // Until the window that starts with the first accepted request is over, however long the start took.
      until: async (startedAt) => {
        go = startedAt;
        await waitFor(() => vendor.accepted.length > 0, 30_000, 'the first accepted request');
        first = vendor.accepted[0]!;
        await sleep(first + LIMIT.perMs + 500 - Date.now());
      },
    });
    const inFirstWindow = vendor.accepted.filter((t) => t < first + LIMIT.perMs).length;
    const utilisation = round(inFirstWindow / LIMIT.requests);
    const errors = reports.flatMap((r) => r.errors);
    const note =
      `${WORKERS} processes, limit ${LIMIT.requests} per ${LIMIT.perMs / 1000} s: ${inFirstWindow} accepted in the ` +
      `first window, ${vendor.rejected} × 429, max ${vendor.maxInWindow()} in any window, first accepted ` +
      `${first - go} ms after go, ${vendor.tokenRequests} token request(s), ${errors.length} errors, per process ` +
      reports.map((r) => r.ok).join('/');
    const f = figure(NAME, utilisation, 'fraction', ['>=', GOAL], note);
    // Both halves of the goal: the utilisation and no 429 at all.
    return [{ ...f, goal: `>= ${GOAL} with 0 x 429`, holds: f.holds === true && vendor.rejected === 0 }];
  } finally {
    await vendor.close();
  }
}
