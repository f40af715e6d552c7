/**
 * `overhead-vs-fetch` and `overhead-vs-openapi-fetch`: one `getSubscription` through the SDK (Pax8, token
 * cached, limiter on) against plain `fetch` + `JSON.parse` and against openapi-fetch with the generated Pax8
 * types, side by side in each round against the same loopback server (node:http, in its own process).
 *
 * The goal-bearing figures are judged on p50 across 30 interleaved rounds (`ROUNDS`: at least 20; task order rotated
 * each round) against a plain, idle local server, as users' servers are; each figure's p10/p50/p90 over the rounds and the
 * tasks' absolute µs are printed with it (`--json`). On this project's virtual machines an idle server vCPU takes
 * long to wake, and the longer the client works between requests the deeper it sleeps, so 30 µs of client CPU can
 * cost 90-100 µs of latency (`control-30us-cpu-vs-fetch`, ideal in its note). The same figures against a server
 * that busy-polls (see `spawnServer`; 30 µs of CPU then costs about 30 µs) are reported too (`...-busy-server`,
 * no goal), to tell the SDK's cost from the machine's wake-up latency.
 *
 * Reported figures that help read them (no goal):
 * - `overhead-vs-fetch-with-timeout`: the SDK against `fetch` with what enforcing a timeout costs any client
 *   (a per-request AbortController and timer; on Node 20 creating the signal and undici following it are the
 *   largest per-call costs after the round trip itself).
 * - `sdk-own-cpu-us`: the SDK's own work per call, with an in-memory `fetch` (no network): p50 of the SDK call
 *   minus p50 of the same in-memory fetch + `JSON.parse`.
 * - `control-30us-cpu-vs-fetch`: `fetch` + `JSON.parse` + 30 µs of busy CPU against `fetch` alone, with the
 *   ideal ratio (fetch + 30 µs) / fetch in its note.
 */
import createClient from 'openapi-fetch';
import { Bench } from 'tinybench';
import type { paths } from '../generated/pax8.js';
import { type Figure, type Goal, benchClient, figure, median, round, spreadOf } from './lib.js';
import { SUBSCRIPTION_REF, spawnServer, subscriptionBody } from './server.js';

/** Many short rounds rather than a few long ones: the tasks of a round run close together in time. */
const ROUNDS = 30;
const TASK_MS = 80;
const CONTROL_CPU_US = 30;

function spin(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) {
    // busy on purpose: the control task's CPU
  }
}

type P50s = Record<string, number[]>;

/** Runs `tasks` for `rounds` rounds (order rotated each round); returns each task's p50 per round, in ms. */
async function p50s(tasks: Record<string, () => Promise<unknown>>, rounds: number): Promise<P50s> {
  const names = Object.keys(tasks);
  const out: P50s = Object.fromEntries(names.map((n) => [n, []]));
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

/** The per-round ratios a/b. */
function ratios(p: P50s, a: string, b: string): number[] {
  return p[a]!.map((x, i) => x / p[b]![i]!);
}

/** Median over rounds of the per-round ratio a/b. */
function ratio(p: P50s, a: string, b: string): number {
  return round(median(ratios(p, a, b)));
}

/** Median p50 of a task, in µs. */
function usOf(p: P50s, name: string): number {
  return round(median(p[name]!) * 1000, 1);
}

/** Median p50 of a task, in µs, as text. */
function us(p: P50s, name: string): string {
  return `${round(median(p[name]!) * 1000, 0)} µs`;
}

/** A ratio figure: median of the per-round ratios, their spread, and both tasks' absolute µs. */
function ratioFigure(name: string, p: P50s, a: string, b: string, goal: Goal, note: string): Figure {
  return figure(name, ratio(p, a, b), 'ratio', goal, note, {
    spread: spreadOf(ratios(p, a, b)),
    us: { [a]: usOf(p, a), [b]: usOf(p, b) },
  });
}

/** The five tasks, measured against one server. */
async function measure(busyPoll: boolean): Promise<P50s> {
  const server = await spawnServer({}, { busyPoll });
  try {
    const sdk = benchClient(server.baseUrl);
    await sdk.getSubscription(SUBSCRIPTION_REF); // token fetched and cached
    const api = createClient<paths>({ baseUrl: server.baseUrl });
    const headers = { authorization: 'Bearer bench-token', accept: 'application/json' };
    const url = `${server.baseUrl}/subscriptions/${SUBSCRIPTION_REF.subscriptionId}`;
    return await p50s(
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
  } finally {
    await server.close();
  }
}

/** The figures of one server; `suffix` names the busy-polling variant, whose figures carry no goal. */
function figures(p: P50s, suffix: string, goals: { fetch: Goal; openapi: Goal }): Figure[] {
  const where = suffix ? 'busy-polling server' : 'idle server';
  const note = `${where}, median of the per-round p50 ratios over ${ROUNDS} interleaved rounds: sdk ${us(p, 'sdk')}, fetch ${us(p, 'fetch')}, openapi-fetch ${us(p, 'openapi-fetch')}`;
  const ideal = round((median(p.fetch!) * 1000 + CONTROL_CPU_US) / (median(p.fetch!) * 1000), 2);
  return [
    ratioFigure(`overhead-vs-fetch${suffix}`, p, 'sdk', 'fetch', goals.fetch, note),
    ratioFigure(`overhead-vs-openapi-fetch${suffix}`, p, 'sdk', 'openapi-fetch', goals.openapi, note),
    ratioFigure(
      `overhead-vs-fetch-with-timeout${suffix}`,
      p,
      'sdk',
      'fetch+timeout',
      null,
      `${where}: fetch with a per-request AbortController + 30 s timer (${us(p, 'fetch+timeout')}), as the SDK's timeouts need`,
    ),
    ratioFigure(
      `control-30us-cpu-vs-fetch${suffix}`,
      p,
      'control',
      'fetch',
      null,
      `${where}: fetch + ${CONTROL_CPU_US} µs busy CPU ${us(p, 'control')} vs fetch ${us(p, 'fetch')}; ideal ${ideal}`,
    ),
  ];
}

/** The SDK's own work per call, in µs, per round: SDK on an in-memory fetch minus that fetch + JSON.parse. */
async function ownCpu(): Promise<number[]> {
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
  return p['sdk-memory-fetch']!.map((x, i) => (x - p['memory-fetch']![i]!) * 1000);
}

export async function run(): Promise<Figure[]> {
  const idle = await measure(false);
  const busy = await measure(true);
  const own = await ownCpu();
  return [
    ...figures(idle, '', { fetch: ['<=', 1.25], openapi: ['<=', 1.1] }),
    figure(
      'sdk-own-cpu-us',
      round(median(own), 1),
      'µs',
      null,
      'SDK getSubscription minus fetch + JSON.parse, both on an in-memory fetch (median of 10 rounds of p50s)',
      { spread: spreadOf(own, 1), us: { 'sdk-own-cpu': round(median(own), 1) } },
    ),
    ...figures(busy, '-busy-server', { fetch: null, openapi: null }),
  ];
}
