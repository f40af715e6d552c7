/**
 * Token single-flight under cancellation and expiry (issue 21):
 * - `token-abort-collateral-failures`: 1,000 concurrent cold calls of one client while the token endpoint answers
 *   in 100 ms; the first caller aborts while the shared token request is in flight. The figure: calls OTHER than
 *   the aborted one that failed (goal 0: the shared fetch must not carry any caller's signal).
 * - `token-expiry-wasted-401s`: a cold burst of 1,000 calls; at the 300th API request the server revokes the token
 *   (401 to it from then on, a new token from the token endpoint). The figure: API requests sent with the dead
 *   token (goal <= the limiter's maxConcurrent: the token is read inside the limiter slot).
 * Each is the worst of 3 rounds, with the spread over them.
 */
import { type Figure, benchClient, figure, median, spreadOf } from './lib.js';
import { SUBSCRIPTION_REF, spawnServer } from './server.js';

const CALLS = 1000;
const ROUNDS = 3;
const REVOKE_AT = 300;
/** The limiter of the expiry burst: a rate that never delays, bounded concurrency. */
const EXPIRY_LIMIT = { requests: 1_000_000, perMs: 1000, maxConcurrent: 10 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<Figure[]> {
  const server = await spawnServer({ tokenDelayMs: 100 });
  try {
    // Abort during the shared token request.
    const collateral: number[] = [];
    let abortNotes = '';
    for (let r = 0; r < ROUNDS; r++) {
      await server.reset();
      const client = benchClient(server.baseUrl); // a new credential: cold cache
      const controller = new AbortController();
      const calls = [client.getSubscription(SUBSCRIPTION_REF, { signal: controller.signal })];
      for (let i = 1; i < CALLS; i++) calls.push(client.getSubscription(SUBSCRIPTION_REF));
      const settled = Promise.allSettled(calls);
      // Abort once the server has the token request (it answers 100 ms later).
      while ((await server.stats()).token === 0) await sleep(2);
      controller.abort();
      const results = await settled;
      const others = results.slice(1).filter((x) => x.status === 'rejected').length;
      collateral.push(others);
      const first = results[0]!;
      const firstName = first.status === 'rejected' ? ((first.reason as Error)?.name ?? 'error') : 'fulfilled';
      const stats = await server.stats();
      abortNotes = `last round: aborted call ${firstName}, ${stats.token} token request(s), ${stats.get} API requests`;
    }

    // The token revoked mid-burst.
    await server.configure({ tokenDelayMs: 0, revokeTokenAfter: REVOKE_AT });
    const wasted: number[] = [];
    let expiryNotes = '';
    for (let r = 0; r < ROUNDS; r++) {
      await server.reset();
      const client = benchClient(server.baseUrl, {
        rateLimit: EXPIRY_LIMIT,
        retry: { baseDelayMs: 1, maxDelayMs: 2 },
      });
      const results = await Promise.allSettled(
        Array.from({ length: CALLS }, () => client.getSubscription(SUBSCRIPTION_REF)),
      );
      const stats = await server.stats();
      wasted.push(stats.stale);
      const failed = results.filter((x) => x.status === 'rejected').length;
      expiryNotes = `last round: ${failed} of ${CALLS} calls failed, ${stats.token} token requests, ${stats.get} API requests answered`;
    }
    await server.configure({ revokeTokenAfter: null });

    return [
      figure(
        'token-abort-collateral-failures',
        Math.max(...collateral),
        'calls',
        ['==', 0],
        `worst of ${ROUNDS} rounds (median ${median(collateral)}); ${abortNotes}`,
        { spread: spreadOf(collateral) },
      ),
      figure(
        'token-expiry-wasted-401s',
        Math.max(...wasted),
        'requests',
        ['<=', EXPIRY_LIMIT.maxConcurrent],
        `worst of ${ROUNDS} rounds (median ${median(wasted)}); token revoked at API request ${REVOKE_AT}, limiter maxConcurrent ${EXPIRY_LIMIT.maxConcurrent}; ${expiryNotes}`,
        { spread: spreadOf(wasted) },
      ),
    ];
  } finally {
    await server.close();
  }
}
