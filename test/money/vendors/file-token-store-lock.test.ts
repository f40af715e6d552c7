/**
 * FileTokenStore across processes: a live holder's lock is never taken over, however long it holds it (its
 * lock is kept fresh while held; only a dead holder's lock goes stale), and nobody removes another's lock.
 */
import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const workerPath = fileURLToPath(new URL('./file-lock-worker.ts', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msp-file-lock-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function worker(role: 'A' | 'B', env: Record<string, string>): Promise<number | null> {
  const child = fork(workerPath, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ROLE: role, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('FileTokenStore: two processes, one slow refresher', () => {
  it('the second process waits for the live holder (held past staleLockMs), then gets the lock', {
    timeout: 30_000,
  }, async () => {
    const env = { STORE: join(dir, 'tokens.json'), LOG: join(dir, 'log.txt') };
    // A holds the lock 3.5 s, well past staleLockMs (2 s): a hand-rolled age check would break it.
    const [a, b] = await Promise.all([worker('A', { ...env, HOLD_MS: '3500' }), worker('B', { ...env, HOLD_MS: '0' })]);
    expect([a, b]).toEqual([0, 0]);
    const log = (await readFile(env.LOG, 'utf8')).trim().split('\n');
    expect(log).toEqual(['A+', 'A-', 'B+', 'B-']);
  });
});
