/** Runs a fleet of worker processes (test/scale/worker.ts) against a fake vendor and collects their reports. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a worker reports when its run ends. */
export interface WorkerReport {
  pid: number;
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
  concurrency?: number;
  /**
   * Called once every worker is warm and `go` was sent, with the time it was sent; the workers stop when it
   * resolves (so a test can run until the fake has seen a whole window, however long the start took).
   */
  until: (startedAt: number) => Promise<void>;
}

const workerPath = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Resolves once `condition()` holds (checked every 20 ms); rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts `workers` processes, waits until all are warm (token cache still cold), starts them together. */
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
          child.on(
            'message',
            (m: { type: string } & WorkerReport) => m.type === 'done' && resolve({ ...m, pid: child.pid! }),
          );
          child.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)));
        }),
      );
    }
    await Promise.all(ready);
    const startedAt = Date.now();
    for (const c of children) c.send({ type: 'go' });
    try {
      await o.until(startedAt);
    } finally {
      for (const c of children) if (c.connected) c.send({ type: 'stop' });
    }
    return await Promise.all(done);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
}
