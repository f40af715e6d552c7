import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ConfigurationError, ValidationError } from '../core/errors.js';
import type { MarketplaceClient } from '../core/marketplace-client.js';
import { optionalImport } from '../core/optional-import.js';
import { ProviderIdSchema, type ProviderId } from '../model/common.js';
import { Marketplaces } from '../workflows/registry.js';
import { type SyncCheckpoint, type SyncOptions, syncAll } from '../workflows/sync.js';
import { toFleetRecord } from './records.js';
import type { FleetJobRef, FleetSink, SinkState } from './sinks.js';

/** One unit of fleet work: every customer and subscription of one account at one vendor. */
export interface FleetJob {
  /** Your name for the MSP account (letters, digits, `_`, `.`, `-`). */
  account: string;
  provider: ProviderId;
}

/** What a job carries in Redis between attempts: the SDK checkpoint and the sink's state, saved together. */
export interface FleetJobData extends FleetJob {
  runId: string;
  checkpoint?: SyncCheckpoint | undefined;
  sink?: SinkState | undefined;
  /** Checkpoints saved so far (across attempts). */
  commits?: number | undefined;
  /** Attempts that resumed from a saved checkpoint (a worker died or failed mid-job). */
  resumed?: number | undefined;
}

/** How a job ended. */
export interface FleetJobResult extends FleetJob {
  key: string;
  state: 'completed' | 'failed';
  customers: number;
  subscriptions: number;
  errors: number;
  /** Times the job was resumed from a saved checkpoint. */
  resumed: number;
  /** When the job finished (ms since the epoch, Redis clock of the worker). */
  finishedOn?: number | undefined;
  failedReason?: string | undefined;
}

/** Options of {@link createSyncFleet}. */
export interface SyncFleetOptions {
  /** The Redis the queue lives on (`redis://` / `rediss://`). Use the one the clients share limits and tokens on. */
  redis: string;
  /** The BullMQ queue name (default `msp-sync`). */
  queue?: string | undefined;
  /**
   * How long a worker's hold on a job lasts without renewal (default 30 000 ms; BullMQ renews it every half).
   * A worker that dies loses its jobs to another worker after about this long.
   */
  lockDurationMs?: number | undefined;
  /** Attempts per job when a sync attempt throws (Redis or sink failures; vendor failures are records). Default 3. */
  attempts?: number | undefined;
}

/** Options of {@link SyncFleet.work}. */
export interface FleetWorkerOptions {
  /**
   * The client of a job. Give it `redis` (the fleet's URL) so every process shares one rate limit and one token
   * per credential: two jobs (or two machines) on the same credential then never exceed the vendor's limit.
   */
  client: (job: FleetJob) => MarketplaceClient | Promise<MarketplaceClient>;
  /** Where records go (`jsonLinesSink(dir)` or `callbackSink(fn)`). */
  sink: FleetSink;
  /** Jobs this process runs at once (default 1). */
  concurrency?: number | undefined;
  /** Passed to `syncAll` (e.g. `concurrency` per provider). */
  syncOptions?: Pick<SyncOptions, 'concurrency'> | undefined;
  /**
   * Saves a job's checkpoint (the sink's commit, then the job's data in Redis) at most once per this many ms
   * (default 1 000): a customer (or page) finished sooner after the last save is saved with the next one. Exactness
   * does not depend on it (what was delivered after the last save is delivered again and dropped by the sink); it
   * bounds the work a resumed job redoes. `0` saves after every customer, at the cost of an fsync and a Redis write
   * each.
   */
  checkpointIntervalMs?: number | undefined;
}

/** A worker of this process; `close` lets its running jobs finish first. */
export interface FleetWorker {
  /** Stops taking jobs, lets the running ones finish, and closes the worker's connections. */
  close(): Promise<void>;
}

/** A queue of sync jobs on Redis (BullMQ). */
export interface SyncFleet {
  /** Adds one job per (account, provider) of run `runId`; a job of the run already queued is not added again. */
  enqueue(runId: string, jobs: readonly FleetJob[]): Promise<void>;
  /** Starts a worker in this process. */
  work(options: FleetWorkerOptions): Promise<FleetWorker>;
  /** Waits until every given job of the run completed or failed for good (polling every 200 ms). */
  waitForRun(runId: string, jobs: readonly FleetJob[], options?: { timeoutMs?: number }): Promise<FleetJobResult[]>;
  /** Closes the queue and this process's workers and connections. */
  close(): Promise<void>;
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;
/** Default of {@link FleetWorkerOptions.checkpointIntervalMs}. */
const DEFAULT_CHECKPOINT_INTERVAL_MS = 1_000;

/** The BullMQ job id of a job of a run. */
export function fleetJobKey(runId: string, job: FleetJob): string {
  return `${runId}~${job.account}~${job.provider}`;
}

function checkJobs(runId: string, jobs: readonly FleetJob[]): void {
  const issues: { path: string; message: string }[] = [];
  if (!NAME.test(runId)) issues.push({ path: 'runId', message: 'letters, digits, _ . - (1 to 100)' });
  jobs.forEach((j, i) => {
    if (!NAME.test(j.account))
      issues.push({ path: `jobs[${i}].account`, message: 'letters, digits, _ . - (1 to 100)' });
    if (!ProviderIdSchema.options.includes(j.provider))
      issues.push({ path: `jobs[${i}].provider`, message: 'unknown provider' });
  });
  if (issues.length) {
    throw new ValidationError(`Invalid fleet jobs: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
}

async function loadBullmq(): Promise<typeof import('bullmq')> {
  try {
    return await optionalImport<typeof import('bullmq')>('bullmq');
  } catch (cause) {
    throw new ConfigurationError(
      'The fleet needs the optional packages bullmq and ioredis: npm install bullmq ioredis',
      {
        operation: 'createSyncFleet',
        cause,
      },
    );
  }
}

/**
 * Sync jobs on a BullMQ queue, one per (account, vendor), run by workers in any number of processes or machines.
 * Each job saves the SDK's sync checkpoint with its sink's commit state in the job's data after every finished
 * customer (or page), so when a worker dies another one resumes the job where the last checkpoint left it and the
 * sink drops what was delivered after it: every item reaches the sink exactly once per run. See docs/scaling.md.
 */
export async function createSyncFleet(options: SyncFleetOptions): Promise<SyncFleet> {
  if (!options || typeof options.redis !== 'string' || !/^rediss?:\/\//.test(options.redis)) {
    throw new ConfigurationError('createSyncFleet: `redis` must be a redis:// or rediss:// URL', {
      operation: 'createSyncFleet',
    });
  }
  const queueName = options.queue ?? 'msp-sync';
  const lockDuration = options.lockDurationMs ?? 30_000;
  const attempts = options.attempts ?? 3;
  const { Queue, Worker } = await loadBullmq();
  const { Redis: RedisClient } = await optionalImport<typeof import('ioredis')>('ioredis');
  const connections: Redis[] = [];
  const connect = () => {
    // BullMQ's blocking commands need `maxRetriesPerRequest: null`.
    const c = new RedisClient(options.redis, { maxRetriesPerRequest: null });
    connections.push(c);
    return c;
  };
  const queue: Queue<FleetJobData> = new Queue<FleetJobData>(queueName, { connection: connect() });
  const workers: Worker[] = [];

  async function process(job: Job<FleetJobData>, o: FleetWorkerOptions): Promise<Omit<FleetJobResult, 'state'>> {
    const data = job.data;
    const ref: FleetJobRef = { runId: data.runId, account: data.account, provider: data.provider, key: job.id ?? '' };
    const resumed = (data.resumed ?? 0) + (data.checkpoint ? 1 : 0);
    if (data.checkpoint) await job.updateData({ ...data, resumed });
    const client = await o.client({ account: data.account, provider: data.provider });
    const out = await o.sink.open(ref, data.sink);
    let commits = data.commits ?? 0;
    const interval = o.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    let savedAt = Date.now();
    const run = syncAll(new Marketplaces([client]), {
      ...o.syncOptions,
      providers: [data.provider],
      checkpoint: data.checkpoint,
      onCheckpoint: async (checkpoint) => {
        // Skipping a save is always exact: the records since the last one stay pending in the sink and go with
        // the next save (or the job's end); a death before it delivers them again from the older checkpoint.
        if (Date.now() - savedAt < interval) return;
        // The records first (durable), then the checkpoint that says they are done: a death in between makes
        // the next attempt deliver them again, and the sink, resumed from the older state, drops the first copy.
        const sink = await out.commit();
        commits += 1;
        await job.updateData({ ...job.data, checkpoint, sink, commits, resumed });
        savedAt = Date.now();
      },
    });
    for await (const record of run) await out.write(toFleetRecord(data.account, record));
    await out.close();
    const cp = run.checkpoint().providers[data.provider];
    return {
      account: data.account,
      provider: data.provider,
      key: ref.key,
      customers: cp?.customers ?? 0,
      subscriptions: cp?.subscriptions ?? 0,
      errors: cp?.errors ?? 0,
      resumed,
    };
  }

  return {
    async enqueue(runId, jobs) {
      checkJobs(runId, jobs);
      await queue.addBulk(
        jobs.map((j) => ({
          name: 'sync',
          data: { runId, account: j.account, provider: j.provider },
          opts: {
            jobId: fleetJobKey(runId, j),
            attempts,
            backoff: { type: 'exponential', delay: 1_000 },
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
    },
    async work(o) {
      const every = o.checkpointIntervalMs;
      if (every !== undefined && !(Number.isFinite(every) && every >= 0)) {
        throw new ConfigurationError('fleet.work: `checkpointIntervalMs` must be a number >= 0', {
          operation: 'fleet.work',
        });
      }
      const worker = new Worker<FleetJobData>(queueName, (job) => process(job, o), {
        connection: connect(),
        concurrency: o.concurrency ?? 1,
        lockDuration,
        stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
        // A job whose worker died is taken over this many times before it fails for good.
        maxStalledCount: 10,
      });
      // Errors of a job are its failure (kept on the job); this only stops an unhandled 'error' event.
      worker.on('error', () => undefined);
      workers.push(worker);
      await worker.waitUntilReady();
      return {
        close: async () => {
          await worker.close();
        },
      };
    },
    async waitForRun(runId, jobs, waitOptions = {}) {
      checkJobs(runId, jobs);
      const deadline = Date.now() + (waitOptions.timeoutMs ?? 3_600_000);
      // A completed job stays completed: each poll asks only about the others (a poll used to read every job up to
      // the first unfinished one again, two round trips each: Redis and CPU the workers share), and reads a job's
      // data only once its state says it finished.
      const completed = new Map<number, FleetJobResult>();
      for (;;) {
        const results: FleetJobResult[] = [];
        for (const [i, j] of jobs.entries()) {
          const done = completed.get(i);
          if (done) {
            results.push(done);
            continue;
          }
          const state = await queue.getJobState(fleetJobKey(runId, j));
          if (state !== 'completed' && state !== 'failed') break;
          const job = await queue.getJob(fleetJobKey(runId, j));
          if (!job) break;
          const value = (job.returnvalue ?? {}) as Partial<FleetJobResult>;
          results.push({
            account: j.account,
            provider: j.provider,
            key: fleetJobKey(runId, j),
            state,
            customers: value.customers ?? 0,
            subscriptions: value.subscriptions ?? 0,
            errors: value.errors ?? 0,
            resumed: value.resumed ?? job.data.resumed ?? 0,
            finishedOn: job.finishedOn,
            failedReason: job.failedReason || undefined,
          });
          if (state === 'completed') completed.set(i, results.at(-1)!);
        }
        if (results.length === jobs.length) return results;
        if (Date.now() > deadline)
          throw new Error(`fleet run ${runId}: not finished after ${waitOptions.timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await queue.close();
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
