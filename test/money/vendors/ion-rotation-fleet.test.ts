/**
 * TD SYNNEX StreamOne Ion rotates its refresh token on every use and spends the old one (docs/providers/
 * td-synnex.md). Four processes share one credential through `redis` (the option alone, no explicit token
 * store): the look-alike (node:http, from Ion's OAuth docs) accepts each refresh token once and counts every
 * reuse. Needs REDIS_URL (a real redis-server; `.ci/run` starts one).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LookAlike, send, startLookAlike } from './lookalike.js';

const REDIS_URL = process.env.REDIS_URL;
const WORKERS = 4;
const CALLS = 30;
/** Access tokens live 2 s (said in expires_in, honoured a little longer): several rotations per run. */
const ACCESS_LIFE_MS = 2_000;
const workerPath = fileURLToPath(new URL('./ion-rotation-worker.ts', import.meta.url));

const run = randomUUID();
const prefix = `/run-${run}`;
const initial = `rt-${run}-0`;
const ion = {
  current: initial,
  spent: new Set<string>(),
  reuse: 0,
  rotations: 0,
  issuedAt: new Map<string, number>(),
};
let vendor: LookAlike;

beforeAll(async () => {
  vendor = await startLookAlike((req, res) => {
    const path = req.path.startsWith(prefix) ? req.path.slice(prefix.length) : req.path;
    if (req.method === 'POST' && path === '/oauth/token') {
      const token = new URLSearchParams(req.body).get('refresh_token') ?? '';
      if (ion.spent.has(token)) {
        ion.reuse += 1;
        return send(res, 400, { error: 'invalid_grant', error_description: 'refresh token already used' });
      }
      if (token !== ion.current) return send(res, 400, { error: 'invalid_grant' });
      ion.spent.add(token);
      ion.rotations += 1;
      ion.current = `rt-${run}-${ion.rotations}`;
      const access = `at-${run}-${ion.rotations}`;
      ion.issuedAt.set(access, Date.now());
      return send(res, 200, {
        access_token: access,
        refresh_token: ion.current,
        expires_in: ACCESS_LIFE_MS / 1000,
        token_type: 'Bearer',
      });
    }
    if (req.method === 'GET' && path === '/api/v3/accounts/10001/customers/501') {
      const access = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      const issued = ion.issuedAt.get(access);
      // Ion answers an expired access token with 403.
      if (issued === undefined || Date.now() - issued > ACCESS_LIFE_MS + 500) {
        return send(res, 403, { code: 'PERMISSION_DENIED', message: 'token expired' });
      }
      const answer = { name: 'accounts/10001/customers/501', customerName: 'Contoso', customerStatus: 'ACTIVE' };
      setTimeout(() => send(res, 200, answer), 40);
      return;
    }
    return send(res, 404, { message: `no route ${req.method} ${path}` });
  });
});
afterAll(() => vendor?.close());

describe.skipIf(!REDIS_URL)('TD SYNNEX: 4 processes rotating one refresh token through redis', () => {
  it('0 refresh-token reuse, every call answered', { timeout: 60_000 }, async () => {
    const children: ChildProcess[] = [];
    try {
      const ready: Promise<void>[] = [];
      const done: Promise<{ ok: number; errors: string[] }>[] = [];
      for (let i = 0; i < WORKERS; i++) {
        const child = fork(workerPath, [], {
          execArgv: ['--import', 'tsx'],
          env: {
            ...process.env,
            BASE_URL: `${vendor.url}${prefix}`,
            REDIS_URL,
            ION_REFRESH_TOKEN: initial,
            CALLS: String(CALLS),
          },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        children.push(child);
        ready.push(
          new Promise((resolve) => child.on('message', (m: { type: string }) => m.type === 'ready' && resolve())),
        );
        done.push(
          new Promise((resolve, reject) => {
            child.on('message', (m: { type: string; ok: number; errors: string[] }) => m.type === 'done' && resolve(m));
            child.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)));
          }),
        );
      }
      await Promise.all(ready);
      for (const c of children) c.send({ type: 'go' });
      const reports = await Promise.all(done);
      expect(ion.reuse).toBe(0);
      expect(reports.flatMap((r) => r.errors)).toEqual([]);
      expect(reports.reduce((n, r) => n + r.ok, 0)).toBe(WORKERS * CALLS);
      // The chain really rotated while the processes ran.
      expect(ion.rotations).toBeGreaterThanOrEqual(2);
      // Each refresh token was accepted once (a Set cannot double-count; the reuse counter is the check).
      expect(ion.spent.size).toBe(ion.rotations);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill();
    }
  });
});
