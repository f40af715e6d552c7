/**
 * `fleet-sync-wall-vs-bound`: 40 accounts synced by 4 worker processes of `msp-marketplace-sdk/fleet`
 * (test/fleet/worker.ts: BullMQ on REDIS_URL, limits and tokens shared per credential through Redis, JSON-lines
 * sink) against a Pax8-shaped look-alike (test/fleet/lookalike.ts) answering after 150 ± 50 ms. Each account is
 * one credential with `maxConcurrent` 2 and 40 customers synced per customer: 42 requests, the minimum Pax8's API
 * needs (one customer page, one listing per customer, one commitment-rules read for the estate's one product, as
 * `sync-requests-vs-minimum-pax8` counts them). Every process runs 10 jobs at once, so all 40 start together and the
 * fleet's floor is its slowest job's: `token + customer page + (the other requests' latencies) / maxConcurrent` (no
 * listing can start before the customer page named the customers; its rate limit is set high enough not to bind).
 * The latencies are the ones the look-alike drew in this run (150 ± 50 ms each), not their mean: the last of 40 jobs
 * is the one whose draws summed highest, which the mean-based `latency + 41 x latency / 2` (3.225 s, in the note)
 * leaves out (about +0.2 s with 40 jobs). The token is answered at once (latency 0). Of a job's requests beyond the
 * minimum, none counts: the floor takes the smallest 41 latencies after the customer page. The figure: time from
 * enqueueing to the last job finished / that floor. Goal <= 1.15. Without `REDIS_URL` it is printed as skipped.
 * The clock starts once every worker is warm (its lazily loaded modules and Redis connections, see the worker) with
 * every account's token cache cold, as in the fleet rate figure (bench/fleet.ts); the workers save checkpoints at
 * their default interval (`checkpointIntervalMs`, 1 s). Where the time goes: docs/performance.md.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FleetJob } from '../src/fleet/index.js';
import { type FleetLookAlike, startFleetLookAlike } from '../test/fleet/lookalike.js';
import { type Figure, figure, round } from './lib.js';

const NAME = 'fleet-sync-wall-vs-bound';
const WORKERS = 4;
const ACCOUNTS = 40;
const CUSTOMERS = 40;
const PER_CUSTOMER = 2;
const LATENCY_MS = 150;
const CONCURRENT = 2;
const GOAL = 1.15;

export async function run(): Promise<Figure[]> {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) return [{ ...figure(NAME, 0, 'ratio', null), skipped: 'REDIS_URL not set' }];
  const { createSyncFleet } = (await import(
    new URL(process.env.BENCH_FROM_SRC === '1' ? '../src/fleet/index.js' : '../dist/fleet.js', import.meta.url).href
  )) as typeof import('../src/fleet/index.js');
  const vendor = await startFleetLookAlike({
    customers: CUSTOMERS,
    perCustomer: PER_CUSTOMER,
    latencyMs: LATENCY_MS,
    jitterMs: 50,
  });
  const dir = mkdtempSync(join(tmpdir(), 'msp-fleet-bench-'));
  const queue = `fleet-bench-${randomUUID()}`;
  const children: ChildProcess[] = [];
  const stopped = new Set<ChildProcess>();
  const fleet = await createSyncFleet({ redis: redisUrl, queue });
  try {
    const env = {
      ...process.env,
      REDIS_URL: redisUrl,
      FLEET_QUEUE: queue,
      SINK_DIR: dir,
      ORIGIN: vendor.origin,
      LOCK_MS: '30000',
      JOBS_PER_WORKER: String(ACCOUNTS / WORKERS),
      SECRET_PREFIX: queue,
      TIMEOUT_MS: '30000',
      // BENCH_FLEET_CPU_PROF=<dir>: each worker writes a CPU profile of its time from ready to stop there
      // (development only; test/fleet/worker.ts).
      ...(process.env.BENCH_FLEET_CPU_PROF ? { FLEET_CPU_PROF: join(process.env.BENCH_FLEET_CPU_PROF, 'worker') } : {}),
      RATE_LIMIT: JSON.stringify({ requests: 100_000, perMs: 1_000, maxConcurrent: CONCURRENT }),
    };
    const workerPath = fileURLToPath(new URL('../test/fleet/worker.ts', import.meta.url));
    await Promise.all(
      Array.from({ length: WORKERS }, () => {
        const child = fork(workerPath, [], {
          execArgv: ['--import', 'tsx'],
          env,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        children.push(child);
        return new Promise<void>((resolve, reject) => {
          child.on('message', (m: { type: string }) => m.type === 'ready' && resolve());
          child.once('exit', (code) => reject(new Error(`fleet worker exited early (${code})`)));
        });
      }),
    );
    const jobs: FleetJob[] = Array.from({ length: ACCOUNTS }, (_, i) => ({
      account: `acct${i + 1}`,
      provider: 'pax8',
    }));
    const started = Date.now();
    const startedAt = performance.now();
    const benchCpu = process.cpuUsage();
    await fleet.enqueue('bench', jobs);
    const results = await fleet.waitForRun('bench', jobs, { timeoutMs: 120_000 });
    const finished = Math.max(...results.map((r) => r.finishedOn ?? Date.now()));
    const lookAlikeCpu = process.cpuUsage(benchCpu);
    // Each worker's CPU from ready to stop (it idles after its last job): where a 2-core machine's time goes.
    const workerCpu = await Promise.all(
      children.map(
        (c) =>
          new Promise<number>((resolve) => {
            const timer = setTimeout(() => resolve(Number.NaN), 3_000);
            c.on('message', (m: { type: string; us?: number }) => {
              if (m.type !== 'cpu') return;
              clearTimeout(timer);
              resolve(m.us ?? Number.NaN);
            });
            stopped.add(c);
            c.send({ type: 'stop' });
          }),
      ),
    );
    const seconds = (finished - started) / 1000;
    const failed = results.filter((r) => r.state !== 'completed' || r.subscriptions !== CUSTOMERS * PER_CUSTOMER);
    if (failed.length) throw new Error(`fleet bench: ${failed.length} jobs incomplete: ${JSON.stringify(failed[0])}`);
    // One page of customers, one listing per customer, one commitment-rules read (one product in the estate).
    const requests = 1 + CUSTOMERS + 1;
    const L = LATENCY_MS / 1000;
    const nominal = L + ((requests - 1) * L) / CONCURRENT;
    const bound = Math.max(...jobs.map((job) => jobFloorMs(vendor.log, job.account, requests - 1))) / 1000;
    const total = [...vendor.requests.values()].reduce((a, b) => a + b, 0);
    // Contention shows less here than in the wall: when each job's first API request arrived, and how full its
    // `maxConcurrent` slots were between its first arrival and its last answer (1 = always CONCURRENT in flight).
    const firsts: number[] = [];
    const use: number[] = [];
    for (const job of jobs) {
      const api = vendor.log.filter((e) => e.account === job.account && e.path !== '/token');
      if (api.length === 0) continue;
      const first = Math.min(...api.map((e) => e.arrived));
      const last = Math.max(...api.map((e) => e.answered));
      firsts.push(first - startedAt);
      use.push(api.reduce((a, e) => a + (e.answered - e.arrived), 0) / ((last - first) * CONCURRENT));
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    const note =
      `${WORKERS} processes x ${ACCOUNTS / WORKERS} jobs, ${ACCOUNTS} accounts x ${CUSTOMERS} customers x ` +
      `${PER_CUSTOMER} subscriptions: ${round(seconds, 2)} s vs the slowest job's floor ${round(bound, 2)} s ` +
      `(customer page + ${requests - 1} requests / ${CONCURRENT}, latencies as drawn; with the mean ${LATENCY_MS} ms ` +
      `it would be ${round(nominal, 3)} s); ${total} API requests in all ` +
      `(minimum ${ACCOUNTS * requests}); a job's first API request ${Math.round(mean(firsts))} ms after the enqueue ` +
      `on average, its slots in use ${round(mean(use) * 100, 1)}% of the time between its first request and last ` +
      `answer; CPU per API request: workers ${Math.round(workerCpu.reduce((a, b) => a + b, 0) / total)} µs ` +
      `(${workerCpu.map((us) => round(us / 1e6, 2)).join('/')} s), look-alike and bench process ` +
      `${Math.round((lookAlikeCpu.user + lookAlikeCpu.system) / total)} µs`;
    return [
      figure(NAME, round(seconds / bound), 'ratio', ['<=', GOAL], note, {
        us: {
          wall: Math.round(seconds * 1e6),
          bound: Math.round(bound * 1e6),
          nominalBound: Math.round(nominal * 1e6),
        },
      }),
    ];
  } finally {
    for (const c of children) if (c.connected && !stopped.has(c)) c.send({ type: 'stop' });
    await new Promise((r) => setTimeout(r, 300));
    for (const c of children) if (c.exitCode === null) c.kill();
    await fleet.close();
    await vendor.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A job's floor in ms from the latencies the look-alike drew for it: its token, its customer page, then the
 * smallest `others` of its other requests' latencies spread over `CONCURRENT` slots (a request beyond the minimum,
 * a retry, say, never raises the floor).
 */
function jobFloorMs(log: FleetLookAlike['log'], account: string, others: number): number {
  const mine = log.filter((e) => e.account === account);
  const token = mine.find((e) => e.path === '/token')?.delayMs ?? 0;
  const customers = mine.find((e) => e.path === '/companies');
  if (!customers) throw new Error(`fleet bench: no customer page of ${account}`);
  const rest = mine
    .filter((e) => e !== customers && e.path !== '/token')
    .map((e) => e.delayMs)
    .sort((a, b) => a - b)
    .slice(0, others);
  if (rest.length < others) throw new Error(`fleet bench: ${account} sent ${rest.length} of ${others} requests`);
  return token + customers.delayMs + rest.reduce((a, b) => a + b, 0) / CONCURRENT;
}
