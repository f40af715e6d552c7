/**
 * `overhead-vs-fetch` and `overhead-vs-openapi-fetch`: one `getSubscription` through the SDK (Pax8, token
 * cached, limiter on) against plain `fetch` + `JSON.parse` and against openapi-fetch with the generated Pax8
 * types, side by side in each round against the same loopback server (in its own process).
 *
 * Reported figures that help read them (no goal):
 * - `overhead-vs-fetch-with-timeout`: the SDK against `fetch` with what enforcing a timeout costs any client
 *   (a per-request AbortController and timer; on Node 20 creating the signal and undici following it are the
 *   largest per-call costs after the round trip itself).
 * - `sdk-own-cpu-us`: the SDK's own work per call, with an in-memory `fetch` (no network): p50 of the SDK call
 *   minus p50 of the same in-memory fetch + `JSON.parse`.
 * - `control-30us-cpu-vs-fetch`: `fetch` + `JSON.parse` + 30 µs of busy CPU, against `fetch` alone. On an ideal
 *   machine this is (fetch + 30 µs) / fetch; on a virtual machine whose idle vCPUs wake slowly, a little CPU
 *   between round trips costs much more latency than itself (docs/performance.md), and the overhead ratios
 *   above grow by the same effect.
 */
import createClient from 'openapi-fetch';
import { Bench } from 'tinybench';
import type { paths } from '../generated/pax8.js';
import { type Figure, benchClient, figure, median, round } from './lib.js';
import { SUBSCRIPTION_REF, spawnServer, subscriptionBody } from './server.js';

/** Many short rounds rather than a few long ones: the tasks of a round run close together in time. */
const ROUNDS = 40;
const TASK_MS = 80;
const CONTROL_CPU_US = 30;

function spin(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) {
    // busy on purpose: the control task's CPU
  }
}

/** Runs `tasks` for `rounds` rounds (order rotated each round); returns each task's p50 per round, in ms. */
async function p50s(tasks: Record<string, () => Promise<unknown>>, rounds: number): Promise<Record<string, number[]>> {
  const names = Object.keys(tasks);
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({ time: TASK_MS, warmupTime: 20, warmupIterations: 10, throws: true });
    // Rotate the order each round so no task always runs first (or last) on a warming machine.
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      bench.add(name, tasks[name]!);
    }
    await bench.run();
    for (const name of names) {
      const result = bench.getTask(name)?.result;
      if (!result || !('latency' in result)) throw new Error(`no result for ${name}`);
      out[name]!.push(result.latency.p50);
    }
  }
  return out;
}

/** Median over rounds of the per-round ratio a/b. */
function ratio(p: Record<string, number[]>, a: string, b: string): number {
  return median(p[a]!.map((x, i) => x / p[b]![i]!));
}

async function ownCpu(): Promise<number> {
  const body = subscriptionBody();
  const token = JSON.stringify({ access_token: 'bench-token', expires_in: 86_400, token_type: 'Bearer' });
  const json = { 'content-type': 'application/json' };
  const memoryFetch = (async (url: string | URL | Request) =>
    new Response(String(url).endsWith('/token') ? token : body, { status: 200, headers: json })) as typeof fetch;
  const sdk = benchClient('http://127.0.0.1:9/v1', { fetch: memoryFetch });
  await sdk.getSubscription(SUBSCRIPTION_REF);
  const url = 'http://127.0.0.1:9/v1/subscriptions/x';
  const p = await p50s(
    {
      'memory-fetch': async () => JSON.parse(await (await memoryFetch(url)).text()),
      'sdk-memory-fetch': () => sdk.getSubscription(SUBSCRIPTION_REF),
    },
    10,
  );
  return median(p['sdk-memory-fetch']!.map((x, i) => x - p['memory-fetch']![i]!)) * 1000;
}

export async function run(): Promise<Figure[]> {
  const server = await spawnServer();
  try {
    const sdk = benchClient(server.baseUrl);
    await sdk.getSubscription(SUBSCRIPTION_REF); // token fetched and cached
    const api = createClient<paths>({ baseUrl: server.baseUrl });
    const headers = { authorization: 'Bearer bench-token', accept: 'application/json' };
    const url = `${server.baseUrl}/subscriptions/${SUBSCRIPTION_REF.subscriptionId}`;
    const p = await p50s(
      {
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
        // What any client that enforces a timeout does per request: its own AbortController and timer.
        'fetch+timeout': async () => {
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), 30_000);
          try {
            return JSON.parse(await (await fetch(url, { headers, signal: controller.signal })).text());
          } finally {
            clearTimeout(timer);
          }
        },
        control: async () => {
          const data = JSON.parse(await (await fetch(url, { headers })).text());
          spin(CONTROL_CPU_US);
          return data;
        },
      },
      ROUNDS,
    );
    const us = (name: string) => `${round(median(p[name]!) * 1000, 0)} µs`;
    const note = `median p50 over ${ROUNDS} rounds: sdk ${us('sdk')}, fetch ${us('fetch')}, openapi-fetch ${us('openapi-fetch')}`;
    const own = await ownCpu();
    return [
      figure('overhead-vs-fetch', round(ratio(p, 'sdk', 'fetch')), 'ratio', ['<=', 1.25], note),
      figure('overhead-vs-openapi-fetch', round(ratio(p, 'sdk', 'openapi-fetch')), 'ratio', ['<=', 1.1], note),
      figure(
        'overhead-vs-fetch-with-timeout',
        round(ratio(p, 'sdk', 'fetch+timeout')),
        'ratio',
        null,
        `like for like: fetch with a per-request AbortController + 30 s timer (${us('fetch+timeout')}), as the SDK's timeouts need`,
      ),
      figure(
        'sdk-own-cpu-us',
        round(own, 1),
        'µs',
        null,
        'SDK getSubscription minus fetch + JSON.parse, both on an in-memory fetch (median of 10 rounds of p50s)',
      ),
      figure(
        'control-30us-cpu-vs-fetch',
        round(ratio(p, 'control', 'fetch')),
        'ratio',
        null,
        `fetch + ${CONTROL_CPU_US} µs busy CPU: ${us('control')} vs fetch ${us('fetch')}; ideal ${round((median(p.fetch!) * 1000 + CONTROL_CPU_US) / (median(p.fetch!) * 1000), 2)}`,
      ),
    ];
  } finally {
    await server.close();
  }
}
