/**
 * `rate-limit-utilisation` and `rate-limit-429s`: 20 s of `getSubscription` from 20 concurrent callers against a
 * server answering 429 to any request over 100 in a rolling second, with the client's rateLimit set to the same.
 */
import { type Figure, benchClient, figure, round } from './lib.js';
import { SUBSCRIPTION_REF, spawnServer } from './server.js';

const LIMIT = { requests: 100, perMs: 1000 };
const DURATION_MS = Number(process.env.BENCH_RATE_LIMIT_MS ?? 20_000);
const CALLERS = 20;

export async function run(): Promise<Figure[]> {
  const server = await spawnServer();
  try {
    const client = benchClient(server.baseUrl, { rateLimit: { ...LIMIT, maxConcurrent: 10 } });
    await client.getSubscription(SUBSCRIPTION_REF); // token cached before the clock starts
    // Let the one request above leave the window, then start counting.
    await new Promise((r) => setTimeout(r, LIMIT.perMs + 50));
    await server.configure({ limit: LIMIT });
    await server.reset();
    const started = performance.now();
    const stop = started + DURATION_MS;
    let completed = 0;
    const caller = async () => {
      while (performance.now() < stop) {
        await client.getSubscription(SUBSCRIPTION_REF);
        if (performance.now() <= stop) completed++;
      }
    };
    await Promise.all(Array.from({ length: CALLERS }, caller));
    const stats = await server.stats();
    await server.configure({ limit: null });
    const possible = (LIMIT.requests * DURATION_MS) / LIMIT.perMs;
    const note = `${completed} calls completed in ${DURATION_MS / 1000} s (limit allows ${possible}); server accepted ${stats.ok}, refused ${stats.limited}`;
    return [
      figure('rate-limit-utilisation', round(completed / possible), 'fraction', ['>=', 0.95], note),
      figure('rate-limit-429s', stats.limited, 'responses', ['==', 0], note),
    ];
  } finally {
    await server.close();
  }
}
