/**
 * Issue 20: `syncAll` on a vendor with an account-wide listing (here TD SYNNEX StreamOne Ion, on a plain node:http
 * look-alike written here: customers paged with `pageToken`, subscriptions by offset with a total) asks for the
 * next customer page while the current one's customers are still being emitted, so the customer chain costs one
 * round trip a page and not one plus the consumer's time; what it reads ahead stays bounded, and records, order
 * and checkpoints are those of a page-by-page read.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { defaultTokenCache } from '../../src/core/auth/token-provider.js';
import { defaultTokenStore } from '../../src/core/auth/token-store.js';
import { createTdSynnexClient } from '../../src/providers/td-synnex/index.js';
import { Marketplaces, type SyncCheckpoint, type SyncRecord, syncAll } from '../../src/workflows/index.js';

const ACCOUNT = '777';
const PAGE = 3;
const CUSTOMERS = 12; // 4 customer pages
const SUBSCRIPTIONS = 5;
const look = { customerRequests: 0, subscriptionRequests: 0 };
let server: Server;
let baseUrl = '';

function answer(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/oauth/token') {
      return answer(res, {
        access_token: 'ion-access',
        expires_in: 3600,
        refresh_token: `next-${Math.random()}`,
        token_type: 'Bearer',
      });
    }
    if (url.pathname === `/api/v3/accounts/${ACCOUNT}/customers`) {
      look.customerRequests += 1;
      // An opaque token, as Ion's: the page's first index, base64.
      const token = url.searchParams.get('pageToken');
      const from = token ? Number(Buffer.from(token, 'base64').toString()) : 0;
      const customers: { name: string; customerOrganization: string }[] = [];
      for (let i = from; i < Math.min(CUSTOMERS, from + PAGE); i++) {
        customers.push({ name: `accounts/${ACCOUNT}/customers/${100 + i}`, customerOrganization: `Customer ${i}` });
      }
      const next = from + PAGE < CUSTOMERS ? Buffer.from(String(from + PAGE)).toString('base64') : '';
      return setTimeout(() => answer(res, { customers, nextPageToken: next }), 5);
    }
    if (url.pathname === `/api/v3/accounts/${ACCOUNT}/subscriptions`) {
      look.subscriptionRequests += 1;
      const items = Array.from({ length: SUBSCRIPTIONS }, (_, n) => ({
        id: String(9000 + n),
        customerId: String(100 + n),
        subscriptionName: `Subscription ${n}`,
        subscriptionTotalLicenses: 1,
        subscriptionStatus: 'ACTIVE',
      }));
      return answer(res, { items, totalCount: String(SUBSCRIPTIONS) });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);
beforeEach(() => {
  look.customerRequests = look.subscriptionRequests = 0;
  defaultTokenCache.clear();
  defaultTokenStore.clear();
});

const marketplaces = () =>
  new Marketplaces([
    createTdSynnexClient({
      credentials: { refreshToken: 'ion-refresh-initial' },
      accountId: ACCOUNT,
      baseUrl,
      pageSize: PAGE,
      rateLimit: { requests: 100_000, perMs: 1_000, maxConcurrent: 4 },
      retry: { retries: 0 },
    }),
  ]);

/** Waits (bounded) until `check` holds; resolves with whether it did. */
async function until(check: () => boolean, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  return check();
}

const idOf = (r: SyncRecord) =>
  r.type === 'customer' ? `c${r.customer.id}` : r.type === 'subscription' ? `s${r.subscription.id}` : 'error';

it('asks for the next customer page while the current one is being emitted, and no further', async () => {
  const run = syncAll(marketplaces())[Symbol.asyncIterator]();
  const first = await run.next();
  expect(first.value).toMatchObject({ type: 'customer', customer: { id: '100' } });
  // The consumer holds the first customer: page 2 is asked for all the same (page by page, it would wait for
  // page 1's three customers to be consumed).
  expect(await until(() => look.customerRequests >= 2)).toBe(true);
  await new Promise((r) => setTimeout(r, 50));
  // Bounded: page 2 waits in the channel, page 3 at most is being read; page 4 is not asked for.
  expect(look.customerRequests).toBeLessThanOrEqual(3);
  await run.return?.(undefined);
});

it('gives the records and checkpoints of a page-by-page read, and resumes exactly', async () => {
  const full: string[] = [];
  for await (const r of syncAll(marketplaces())) full.push(idOf(r));
  expect(full).toEqual([
    ...Array.from({ length: CUSTOMERS }, (_, i) => `c${100 + i}`),
    ...Array.from({ length: SUBSCRIPTIONS }, (_, n) => `s${9000 + n}`),
  ]);
  // Stop after every 7th record (mid-page), resume from the last saved checkpoint: the store ends up with every
  // record in order, none repeated past a committed checkpoint.
  let saved: SyncCheckpoint | undefined;
  const store: string[] = [];
  for (let round = 0; round < 50 && saved?.providers['td-synnex']?.status !== 'done'; round++) {
    let buffer: string[] = [];
    const run = syncAll(marketplaces(), {
      checkpoint: saved,
      onCheckpoint: (c) => {
        saved = c;
        store.push(...buffer);
        buffer = [];
      },
    });
    let n = 0;
    for await (const r of run) {
      buffer.push(idOf(r));
      if (++n === 7) break;
    }
  }
  expect(saved?.providers['td-synnex']).toMatchObject({ status: 'done', customers: CUSTOMERS });
  expect(store).toEqual(full);
});
