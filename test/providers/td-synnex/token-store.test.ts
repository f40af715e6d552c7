import { mkdir, mkdtemp, readFile, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { FileTokenStore, MemoryTokenStore } from '../../../src/core/auth/token-store.js';
import { createTdSynnexClient } from '../../../src/providers/td-synnex/index.js';
import { TD_SYNNEX_SEED_IDS, type TdSynnexFake, createTdSynnexFake } from '../../../src/testing/td-synnex/index.js';
import { useMswServer } from '../../helpers/msw.js';

const server = useMswServer();
let dir: string;
let fake: TdSynnexFake;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ion-store-'));
  defaultTokenCache.clear();
  fake = createTdSynnexFake();
  server.use(...fake.handlers);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (t: string) => ({ refreshToken: t, updatedAt: new Date().toISOString() });

describe('token stores', () => {
  it('memory store round trip and lock serialization', async () => {
    const s = new MemoryTokenStore();
    expect(await s.get('k')).toBeUndefined();
    await s.set('k', record('a'));
    expect((await s.get('k'))?.refreshToken).toBe('a');
    const order: string[] = [];
    await Promise.all([
      s.withLock('k', async () => {
        order.push('1<');
        await new Promise((r) => setTimeout(r, 10));
        order.push('1>');
      }),
      s.withLock('k', async () => {
        order.push('2<');
      }),
    ]);
    expect(order).toEqual(['1<', '1>', '2<']);
  });

  it('file store: round trip across instances, mode 0600, no temp files left', async () => {
    const path = join(dir, 'sub', 'tokens.json');
    const a = new FileTokenStore(path);
    await a.set('k1', record('one'));
    await a.set('k2', record('two'));
    const b = new FileTokenStore(path);
    expect((await b.get('k1'))?.refreshToken).toBe('one');
    expect((await b.get('k2'))?.refreshToken).toBe('two');
    expect(await b.get('missing')).toBeUndefined();
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(join(dir, 'sub'))).sort()).toEqual(['tokens.json']);
    expect(JSON.parse(await readFile(path, 'utf8')).k1.refreshToken).toBe('one');
  });

  it('file store lock: exclusive across instances, removes a stale lock, times out on a live one', async () => {
    const path = join(dir, 'tokens.json');
    const a = new FileTokenStore(path, { lockPollMs: 2 });
    const b = new FileTokenStore(path, { lockPollMs: 2 });
    let inside = 0;
    let max = 0;
    const work = async () => {
      inside += 1;
      max = Math.max(max, inside);
      await new Promise((r) => setTimeout(r, 10));
      inside -= 1;
    };
    await Promise.all([a.withLock('k', work), b.withLock('k', work), a.withLock('k', work)]);
    expect(max).toBe(1);
    // A lock left by a crashed process is taken over once stale (proper-lockfile's lock is a directory).
    await mkdir(`${path}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    await expect(a.withLock('k', async () => 'ok')).resolves.toBe('ok');
    // A fresh lock held by someone else makes a waiter give up after lockTimeoutMs.
    await mkdir(`${path}.lock`);
    const c = new FileTokenStore(path, { lockPollMs: 2, lockTimeoutMs: 30 });
    await expect(c.withLock('k', async () => 'never')).rejects.toThrow(/could not take the lock/);
  });

  it('a client chain continues through a file after a "restart"', async () => {
    const path = join(dir, 'ion.json');
    const make = () =>
      createTdSynnexClient({
        credentials: { refreshToken: fake.credentials.refreshToken },
        accountId: fake.credentials.accountId,
        tokenStore: new FileTokenStore(path),
        rateLimit: false,
      });
    await make().getCustomer(TD_SYNNEX_SEED_IDS.contoso);
    const saved = JSON.parse(await readFile(path, 'utf8')) as Record<string, { refreshToken: string }>;
    expect(Object.values(saved)[0]!.refreshToken).toBe(fake.currentRefreshToken());
    // New process: empty access-token cache, expired access tokens; the stored refresh token is used.
    defaultTokenCache.clear();
    fake.expireAllTokens();
    await make().getCustomer(TD_SYNNEX_SEED_IDS.contoso);
    expect(fake.refreshCount).toBe(2);
    const after = JSON.parse(await readFile(path, 'utf8')) as Record<string, { refreshToken: string }>;
    expect(Object.values(after)[0]!.refreshToken).toBe(fake.currentRefreshToken());
  });
});
