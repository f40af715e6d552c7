/**
 * What each hop of one SDK call costs (issue 21, not part of `bench/run.ts`): prints figures, asserts nothing.
 *
 *   npm run build && npx tsx bench/overhead-hops.ts [rounds=20] [cpu|net|all=all]
 *   BENCH_BASE_DIST=/tmp/base/pax8.js npx tsx bench/overhead-hops.ts   # adds an A/B of two builds
 *
 * - `cpu`: process CPU time per operation of each building block in a tight loop (median of 7 runs): creating
 *   an AbortController, a timer set and cleared, `AbortSignal.any`, the shared attempt timer, an extra async
 *   frame, a `.then` wrapper.
 * - `net`: tinybench p50 of sequential calls against the idle bench server (bench/server.ts, own process),
 *   interleaved per round with the order rotated, as bench/overhead.ts does; ratios per round to plain fetch,
 *   median and p10..p90 over the rounds. Tasks: fetch; fetch with a fresh AbortController's signal (no timer);
 *   fetch with a per-request controller + timer (what the SDK did per attempt); fetch with a signal of the
 *   shared attempt timer (what the SDK does now); fetch + 8 extra awaited async frames; the SDK (dist/),
 *   the same GET through the client's `request()` (the transport without the Pax8 mapping), and the base build when
 *   `BENCH_BASE_DIST` is set.
 */
import { randomUUID } from 'node:crypto';
import { Bench } from 'tinybench';
import type * as Pax8 from '../src/providers/pax8/index.js';
import { median, quantile, round } from './lib.js';
import { SUBSCRIPTION_REF, spawnServer } from './server.js';

const ROUNDS = Number(process.argv[2] ?? 20);
const WHAT = process.argv[3] ?? 'all';
const UNTHROTTLED = { requests: 1_000_000, perMs: 1000, maxConcurrent: 64 };

type Client = {
  getSubscription: (ref: typeof SUBSCRIPTION_REF) => Promise<unknown>;
  request: (method: 'GET', path: string) => Promise<unknown>;
};
async function loadClient(file: string, baseUrl: string): Promise<Client> {
  const { createPax8Client } = (await import(file)) as typeof Pax8;
  return createPax8Client({
    credentials: { clientId: `bench-${randomUUID()}`, clientSecret: 'bench-secret' },
    baseUrl,
    rateLimit: UNTHROTTLED,
  });
}

/** CPU µs per operation: median of 7 timed loops of `n`. */
async function cpuPer(fn: () => unknown, n = 50_000): Promise<number> {
  for (let i = 0; i < n / 4; i++) await fn();
  const rs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const c = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const d = process.cpuUsage(c);
    rs.push((d.user + d.system) / n);
  }
  return round(median(rs), 3);
}

async function cpu(): Promise<void> {
  const { attemptSignal } = (await import(
    '../src/core/attempt-timer.js'
  )) as typeof import('../src/core/attempt-timer.js');
  const outer = new AbortController().signal;
  const noop = async () => undefined;
  const frames = async (k: number): Promise<unknown> => (k === 0 ? undefined : await frames(k - 1));
  const rows: Array<[string, () => unknown]> = [
    ['baseline: an awaited resolved promise', () => undefined],
    ['new AbortController() + .signal', () => new AbortController().signal],
    [
      'setTimeout(30 s) + clearTimeout',
      () => {
        clearTimeout(setTimeout(noop, 30_000));
      },
    ],
    [
      'controller + timer + caller listener (the former AttemptSignal)',
      () => {
        const c = new AbortController();
        const t = setTimeout(() => c.abort(), 30_000);
        const on = () => c.abort();
        outer.addEventListener('abort', on, { once: true });
        outer.removeEventListener('abort', on);
        clearTimeout(t);
        return c.signal;
      },
    ],
    [
      'shared attempt timer: attemptSignal() + dispose (no caller signal)',
      () => {
        const a = attemptSignal(undefined, 30_000);
        a.dispose();
        return a.signal;
      },
    ],
    [
      'shared attempt timer with a caller signal',
      () => {
        const a = attemptSignal(outer, 30_000);
        a.dispose();
        return a.signal;
      },
    ],
    ['AbortSignal.any([a, b])', () => AbortSignal.any([outer, outer])],
    ['8 nested async frames', () => frames(8)],
    ['promise.then(undefined, onError) wrapper', () => noop().then(undefined, (e) => Promise.reject(e))],
  ];
  console.log('CPU µs per operation (process CPU time, median of 7 loops):');
  for (const [name, fn] of rows) console.log(`  ${(await cpuPer(fn)).toFixed(3).padStart(7)}  ${name}`);
}

async function net(): Promise<void> {
  const { attemptSignal } = (await import(
    '../src/core/attempt-timer.js'
  )) as typeof import('../src/core/attempt-timer.js');
  const server = await spawnServer({}, { busyPoll: false });
  try {
    const sdk = await loadClient(new URL('../dist/pax8.js', import.meta.url).href, server.baseUrl);
    const base = process.env.BENCH_BASE_DIST ? await loadClient(process.env.BENCH_BASE_DIST, server.baseUrl) : null;
    await sdk.getSubscription(SUBSCRIPTION_REF);
    await base?.getSubscription(SUBSCRIPTION_REF);
    const headers = { authorization: 'Bearer bench-token', accept: 'application/json' };
    const url = `${server.baseUrl}/subscriptions/${SUBSCRIPTION_REF.subscriptionId}`;
    const get = async (signal?: AbortSignal) =>
      JSON.parse(await (await fetch(url, signal ? { headers, signal } : { headers })).text());
    const hop = async (k: number): Promise<unknown> => (k === 0 ? get() : await hop(k - 1));
    const tasks: Record<string, () => Promise<unknown>> = {
      fetch: () => get(),
      'fetch+signal (no timer)': () => get(new AbortController().signal),
      'fetch+controller+timer': async () => {
        const c = new AbortController();
        const t = setTimeout(() => c.abort(), 30_000);
        try {
          return await get(c.signal);
        } finally {
          clearTimeout(t);
        }
      },
      'fetch+shared-timer signal': async () => {
        const a = attemptSignal(undefined, 30_000);
        try {
          return await get(a.signal);
        } finally {
          a.dispose();
        }
      },
      'fetch+8 async frames': () => hop(8),
      sdk: () => sdk.getSubscription(SUBSCRIPTION_REF),
      // The same request through the client's transport only (no reference check, no mapping): what core costs.
      'sdk request() (transport only)': () => sdk.request('GET', `/subscriptions/${SUBSCRIPTION_REF.subscriptionId}`),
    };
    if (base) tasks['sdk (base build)'] = () => base.getSubscription(SUBSCRIPTION_REF);
    const names = Object.keys(tasks);
    const p50: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < ROUNDS; r++) {
      const bench = new Bench({ time: 80, warmupTime: 20, warmupIterations: 10, throws: true });
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + r) % names.length]!;
        bench.add(name, tasks[name]!);
      }
      await bench.run();
      for (const name of names) {
        const result = bench.getTask(name)?.result;
        if (!result || !('latency' in result)) throw new Error(`no result for ${name}`);
        p50[name]!.push(result.latency.p50);
      }
    }
    console.log(
      `idle server, ${ROUNDS} interleaved rounds; ratio to fetch per round: median (p10..p90); median p50 µs`,
    );
    for (const name of names) {
      const ratios = p50[name]!.map((x, i) => x / p50.fetch![i]!);
      const spread = `${round(quantile(ratios, 0.1))}..${round(quantile(ratios, 0.9))}`;
      console.log(
        `  ${round(median(ratios)).toFixed(3)} (${spread})  ${round(median(p50[name]!) * 1000, 1)} µs  ${name}`,
      );
    }
    if (base) {
      const ab = p50.sdk!.map((x, i) => x / p50['sdk (base build)']![i]!);
      console.log(
        `  sdk / sdk (base build): ${round(median(ab))} (${round(quantile(ab, 0.1))}..${round(quantile(ab, 0.9))})`,
      );
    }
  } finally {
    await server.close();
  }
}

if (WHAT === 'cpu' || WHAT === 'all') await cpu();
if (WHAT === 'net' || WHAT === 'all') await net();
