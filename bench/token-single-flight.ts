/** `token-requests-1000-concurrent`: 1,000 concurrent cold `getSubscription` calls; token requests the server saw. */
import { type Figure, benchClient, figure, median } from './lib.js';
import { SUBSCRIPTION_REF, spawnServer } from './server.js';

const CALLS = 1000;
const ROUNDS = 3;

export async function run(): Promise<Figure[]> {
  // The token answer takes 50 ms, so every call really starts before the first token arrives.
  const server = await spawnServer({ tokenDelayMs: 50 });
  try {
    const counts: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      await server.reset();
      const client = benchClient(server.baseUrl); // a new credential: cold cache
      await Promise.all(Array.from({ length: CALLS }, () => client.getSubscription(SUBSCRIPTION_REF)));
      const stats = await server.stats();
      if (stats.get !== CALLS) throw new Error(`expected ${CALLS} subscription reads, server saw ${stats.get}`);
      counts.push(stats.token);
    }
    return [
      figure(
        'token-requests-1000-concurrent',
        Math.max(...counts),
        'requests',
        ['==', 1],
        `worst of ${ROUNDS} rounds (median ${median(counts)})`,
      ),
    ];
  } finally {
    await server.close();
  }
}
