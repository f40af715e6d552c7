/**
 * One process of the FileTokenStore lock test (run with `node --import tsx`): takes the store's lock for key
 * `k`, writes `<ROLE>+` to the log, holds the lock HOLD_MS (a slow refresher), writes `<ROLE>-`, releases.
 * Role B first waits until A is inside, so it contends for a lock held by a live process.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { FileTokenStore } from '../../../src/core/auth/token-store.js';

const env = process.env;
const role = env.ROLE!;
const log = env.LOG!;
const store = new FileTokenStore(env.STORE!, { staleLockMs: 2_000, lockPollMs: 20, lockTimeoutMs: 20_000 });

if (role === 'B') {
  for (;;) {
    const text = await readFile(log, 'utf8').catch(() => '');
    if (text.includes('A+')) break;
    await new Promise((r) => setTimeout(r, 10));
  }
}
await store.withLock('k', async () => {
  await appendFile(log, `${role}+\n`);
  await new Promise((r) => setTimeout(r, Number(env.HOLD_MS ?? 0)));
  await appendFile(log, `${role}-\n`);
});
