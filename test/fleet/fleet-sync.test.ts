/**
 * The fleet on a real redis-server (REDIS_URL; skipped with a message without it): a worker process killed
 * (SIGKILL) mid-run loses its jobs to another worker, which resumes them from the checkpoint saved with each job;
 * the JSON-lines sink then holds every customer and subscription of every account exactly once.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncFleet, type FleetJob, type FleetRecord } from '../../src/fleet/index.js';
import { type FleetLookAlike, startFleetLookAlike } from './lookalike.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('test/fleet: REDIS_URL not set, fleet tests skipped (start redis-server and set it)');

const ACCOUNTS = 4;
const CUSTOMERS = 40;
const PER_CUSTOMER = 3;
const workerPath = fileURLToPath(new URL('./worker.ts', import.meta.url));

function startWorker(env: Record<string, string>): { child: ChildProcess; ready: Promise<void> } {
  const child = fork(workerPath, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { type: string }) => m.type === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  return { child, ready };
}

function readLines(dir: string): Map<string, FleetRecord[]> {
  const out = new Map<string, FleetRecord[]>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else
        out.set(
          e.name,
          readFileSync(p, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as FleetRecord),
        );
    }
  };
  walk(dir);
  return out;
}

function countLines(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += readFileSync(join(e.parentPath, e.name), 'utf8').split('\n').length - 1;
  }
  return n;
}

describe.skipIf(!REDIS_URL)('fleet sync on BullMQ', () => {
  let vendor: FleetLookAlike;
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    vendor = await startFleetLookAlike({ customers: CUSTOMERS, perCustomer: PER_CUSTOMER, latencyMs: 30 });
    dir = mkdtempSync(join(tmpdir(), 'msp-fleet-'));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await vendor.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a worker killed mid-run: another resumes its jobs, 0 items lost and 0 duplicated', async () => {
    const queue = `fleet-test-${randomUUID()}`;
    const env = {
      REDIS_URL: REDIS_URL!,
      FLEET_QUEUE: queue,
      SINK_DIR: dir,
      ORIGIN: vendor.origin,
      LOCK_MS: '1000',
      JOBS_PER_WORKER: String(ACCOUNTS),
      SECRET_PREFIX: queue,
      RATE_LIMIT: JSON.stringify({ requests: 100_000, perMs: 1_000, maxConcurrent: 2 }),
      // A save every 100 ms: several customers per save (the ones in between are skipped), and saves often enough
      // that the kill below finds jobs with a saved checkpoint to resume from.
      CHECKPOINT_MS: '100',
    };
    const fleet = await createSyncFleet({ redis: REDIS_URL!, queue, lockDurationMs: 1_000 });
    try {
      const jobs: FleetJob[] = Array.from({ length: ACCOUNTS }, (_, i) => ({
        account: `acct${i + 1}`,
        provider: 'pax8',
      }));
      const first = startWorker(env);
      children.push(first.child);
      await first.ready;
      await fleet.enqueue('run1', jobs);
      // Kill the worker once a good part of the work reached the sink (every job under way, none finished).
      // Complete lines only (counted, not parsed): a line may be half written while the worker runs.
      const total = () => countLines(dir);
      const deadline = Date.now() + 30_000;
      while (total() < (ACCOUNTS * CUSTOMERS * (1 + PER_CUSTOMER)) / 3) {
        if (Date.now() > deadline) throw new Error('the first worker wrote nothing');
        await new Promise((r) => setTimeout(r, 10));
      }
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      const atKill = total();
      if (process.env.FLEET_TEST_DEBUG) console.error(`killed at ${atKill} lines`);
      const second = startWorker(env);
      children.push(second.child);
      await second.ready;
      const results = await fleet.waitForRun('run1', jobs, { timeoutMs: 60_000 });
      if (process.env.FLEET_TEST_DEBUG) console.error(`done: ${JSON.stringify(results)}`);
      second.child.send({ type: 'stop' });

      expect(results.map((r) => r.state)).toEqual(jobs.map(() => 'completed'));
      const files = readLines(join(dir, 'run1'));
      expect(files.size).toBe(ACCOUNTS);
      for (const [name, records] of files) {
        const customers = records
          .filter((r) => r.type === 'customer')
          .map((r) => (r.type === 'customer' ? r.customer.id : ''));
        const subs = records
          .filter((r) => r.type === 'subscription')
          .map((r) => (r.type === 'subscription' ? r.subscription.id : ''));
        expect(
          records.filter((r) => r.type === 'error'),
          name,
        ).toEqual([]);
        expect(new Set(customers).size, `${name}: distinct customers`).toBe(CUSTOMERS);
        expect(customers.length, `${name}: customer lines (duplicates?)`).toBe(CUSTOMERS);
        expect(new Set(subs).size, `${name}: distinct subscriptions`).toBe(CUSTOMERS * PER_CUSTOMER);
        expect(subs.length, `${name}: subscription lines (duplicates?)`).toBe(CUSTOMERS * PER_CUSTOMER);
      }
      // The kill really interrupted jobs: some were resumed from their saved checkpoint.
      expect(results.some((r) => r.resumed > 0)).toBe(true);
      expect(atKill).toBeLessThan(ACCOUNTS * CUSTOMERS * (1 + PER_CUSTOMER));
      for (const r of results)
        expect(r).toMatchObject({ customers: CUSTOMERS, subscriptions: CUSTOMERS * PER_CUSTOMER });
    } finally {
      await fleet.close();
    }
    // Two worker processes start (tsx) and a lock must expire: slow on a busy 2-core machine.
  }, 90_000);

  it('refuses bad jobs and a bad Redis URL before touching Redis', async () => {
    await expect(createSyncFleet({ redis: 'localhost:6379' })).rejects.toThrow(/redis:\/\//);
    const fleet = await createSyncFleet({ redis: REDIS_URL!, queue: `fleet-test-${randomUUID()}` });
    try {
      await expect(fleet.enqueue('run 1', [{ account: 'a', provider: 'pax8' }])).rejects.toThrow(/runId/);
      await expect(fleet.enqueue('r', [{ account: 'a', provider: 'paxx' as 'pax8' }])).rejects.toThrow(/provider/);
      const sink = { open: () => Promise.reject(new Error('not opened')) };
      await expect(
        fleet.work({ sink, client: () => Promise.reject(new Error('no')), checkpointIntervalMs: -1 }),
      ).rejects.toThrow(/checkpointIntervalMs/);
    } finally {
      await fleet.close();
    }
  });
});
