/**
 * `overhead-vs-fetch` and `overhead-vs-openapi-fetch`: one `getSubscription` through the SDK (Pax8, token
 * cached, limiter on) against plain `fetch` + `JSON.parse` and against openapi-fetch with the generated Pax8
 * types, all three side by side in each round against the same loopback server (in its own process).
 */
import createClient from 'openapi-fetch';
import { Bench } from 'tinybench';
import type { paths } from '../generated/pax8.js';
import { type Figure, benchClient, figure, median, round } from './lib.js';
import { SUBSCRIPTION_REF, spawnServer } from './server.js';

const ROUNDS = 15;

export async function run(): Promise<Figure[]> {
  const server = await spawnServer();
  try {
    const sdk = benchClient(server.baseUrl);
    await sdk.getSubscription(SUBSCRIPTION_REF); // token fetched and cached
    const api = createClient<paths>({ baseUrl: server.baseUrl });
    const headers = { authorization: 'Bearer bench-token', accept: 'application/json' };
    const url = `${server.baseUrl}/subscriptions/${SUBSCRIPTION_REF.subscriptionId}`;
    const tasks: Record<string, () => Promise<unknown>> = {
      fetch: async () => JSON.parse(await (await fetch(url, { headers })).text()),
      'openapi-fetch': async () => {
        const { data, error } = await api.GET('/subscriptions/{subscriptionId}', {
          params: { path: { subscriptionId: SUBSCRIPTION_REF.subscriptionId } },
          headers,
        });
        if (error || !data) throw new Error('openapi-fetch call failed');
        return data;
      },
      sdk: () => sdk.getSubscription(SUBSCRIPTION_REF),
    };
    const names = Object.keys(tasks);
    const vsFetch: number[] = [];
    const vsOpenapi: number[] = [];
    const p50: Record<string, number[]> = { fetch: [], 'openapi-fetch': [], sdk: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const bench = new Bench({ time: 300, warmupTime: 100, warmupIterations: 20, throws: true });
      // Rotate the order each round so no task always runs first (or last) on a warming machine.
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + r) % names.length]!;
        bench.add(name, tasks[name]!);
      }
      await bench.run();
      const latency = (name: string) => {
        const result = bench.getTask(name)?.result;
        if (!result || !('latency' in result)) throw new Error(`no result for ${name}`);
        return result.latency.p50;
      };
      for (const name of names) p50[name]!.push(latency(name));
      vsFetch.push(latency('sdk') / latency('fetch'));
      vsOpenapi.push(latency('sdk') / latency('openapi-fetch'));
    }
    const us = (name: string) => `${round(median(p50[name]!) * 1000, 0)} µs`;
    const note = `median p50 over ${ROUNDS} rounds: sdk ${us('sdk')}, fetch ${us('fetch')}, openapi-fetch ${us('openapi-fetch')}`;
    return [
      figure('overhead-vs-fetch', round(median(vsFetch)), 'ratio', ['<=', 1.25], note),
      figure('overhead-vs-openapi-fetch', round(median(vsOpenapi)), 'ratio', ['<=', 1.1], note),
    ];
  } finally {
    await server.close();
  }
}
