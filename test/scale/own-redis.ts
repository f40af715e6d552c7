/**
 * A redis-server the restart test owns: started as a child process on a free loopback port with its own
 * temporary dir, so the test can shut it down and start it again without touching the shared REDIS_URL server
 * (started by `.ci/run` or a developer, with options this test cannot know) or the tests using that server.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** Whether `redis-server` can be started here. */
export function haveRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A running server the caller owns. */
export interface OwnRedis {
  url: string;
  /** SHUTDOWN NOSAVE (state lost), waits until the process is gone, waits `gapMs`, starts it on the same port. */
  restart(gapMs: number): Promise<void>;
  /** SHUTDOWN NOSAVE and removes its dir. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a throwaway redis-server on a free loopback port and waits until it answers PING. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'msp-scale-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const c = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    child = c;
    let gone = false;
    exited = new Promise((resolve) =>
      c.once('exit', () => {
        gone = true;
        resolve();
      }),
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (gone) throw new Error(`redis-server on port ${port} exited at start (port taken?)`);
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      const up = await probe
        .connect()
        .then(() => probe.ping())
        .then(() => true)
        .catch(() => false);
      probe.disconnect();
      if (up) return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const shutdown = async () => {
    if (!child || child.exitCode !== null) return;
    const admin = new Redis(url, { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    admin.on('error', () => undefined);
    await admin.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    admin.disconnect();
    const timer = setTimeout(() => child?.kill('SIGKILL'), 5_000);
    await exited; // the port is free once the process is gone
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    async restart(gapMs) {
      await shutdown();
      await new Promise((r) => setTimeout(r, gapMs));
      await start();
    },
    async stop() {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
