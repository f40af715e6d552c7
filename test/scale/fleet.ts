/** Runs a fleet of worker processes (test/scale/worker.ts) against a fake vendor and collects their reports. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a worker reports when its run ends. */
export interface WorkerReport {
  ok: number;
  errors: string[];
  warnings: string[];
  tokensFetched: number;
}

/** Options of {@link runFleet}. */
export interface FleetOptions {
  workers: number;
  baseUrl: string;
  redisUrl: string;
  rateLimit: { requests: number; perMs: number; maxConcurrent?: number };
  durationMs: number;
  concurrency?: number;
  /** Called once every worker is running, with the time `go` was sent. */
  during?: (startedAt: number) => Promise<void>;
}

const workerPath = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Starts `workers` processes, waits until all are ready (cold: no token yet), starts them together. */
export async function runFleet(o: FleetOptions): Promise<WorkerReport[]> {
  const children: ChildProcess[] = [];
  try {
    const ready: Promise<void>[] = [];
    const done: Promise<WorkerReport>[] = [];
    for (let i = 0; i < o.workers; i++) {
      const child = fork(workerPath, [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          BASE_URL: o.baseUrl,
          REDIS_URL: o.redisUrl,
          RATE_LIMIT: JSON.stringify(o.rateLimit),
          CONCURRENCY: String(o.concurrency ?? 4),
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      ready.push(
        new Promise((resolve, reject) => {
          child.on('message', (m: { type: string }) => m.type === 'ready' && resolve());
          child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
        }),
      );
      done.push(
        new Promise((resolve, reject) => {
          child.on('message', (m: { type: string } & WorkerReport) => m.type === 'done' && resolve(m));
          child.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)));
        }),
      );
    }
    await Promise.all(ready);
    const startedAt = Date.now();
    for (const c of children) c.send({ type: 'go', until: startedAt + o.durationMs });
    const during = o.during?.(startedAt);
    const reports = await Promise.all(done);
    await during;
    return reports;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
}
