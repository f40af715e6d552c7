/**
 * Issue 20: the account-wide subscription listing of StreamOne Ion is offset-paged (`pagination.limit` /
 * `pagination.offset`) and its answers carry the total (`totalCount`, a string, and `paginationResponse.totalSize`),
 * so the SDK reads the pages after the first one ahead, up to the client's `requestConcurrency` at once, while still
 * delivering them in order with the offsets a page-by-page read gives. Against a plain node:http look-alike written
 * here from the spec (unlike the msw fake): it counts requests in flight, can drop the total, and can answer a short
 * page (fewer items than asked for, which is legal).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { defaultTokenStore } from '../../../src/core/auth/token-store.js';
import { createTdSynnexClient } from '../../../src/providers/td-synnex/index.js';

const ACCOUNT = '5150';
const LIMIT = 5;
const look = {
  total: 23,
  /** Send the total in answers. */
  withTotal: true,
  /** Offset whose answer holds one item less than asked for. */
  shortAt: undefined as number | undefined,
  inFlight: 0,
  maxInFlight: 0,
  offsets: [] as number[],
};
let server: Server;
let baseUrl = '';

function subscription(n: number) {
  return {
    id: String(9000 + n),
    customerId: String(100 + (n % 3)),
    subscriptionName: `Subscription ${n}`,
    ccpProductId: 'MS-365-BP',
    ccpSkuId: 'SKU1',
    subscriptionTotalLicenses: n + 1,
    subscriptionStatus: 'ACTIVE',
    subscriptionBillingCycle: 'MONTHLY',
    subscriptionBillingTerm: 'P1M',
  };
}

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/oauth/token') {
      return answer(res, 200, {
        access_token: 'ion-access',
        expires_in: 3600,
        refresh_token: `next-${Math.random()}`,
        token_type: 'Bearer',
      });
    }
    if (url.pathname !== `/api/v3/accounts/${ACCOUNT}/subscriptions`) return answer(res, 404, { message: 'no' });
    const limit = Number(url.searchParams.get('pagination.limit'));
    const offset = Number(url.searchParams.get('pagination.offset') ?? 0);
    look.offsets.push(offset);
    look.inFlight += 1;
    look.maxInFlight = Math.max(look.maxInFlight, look.inFlight);
    // Answers come back after a moment, so pages asked for together are in flight together.
    setTimeout(() => {
      look.inFlight -= 1;
      const end = Math.min(look.total, offset + (look.shortAt === offset ? limit - 1 : limit));
      const items = [];
      for (let n = offset; n < end; n++) items.push(subscription(n));
      answer(res, 200, {
        items,
        ...(look.withTotal
          ? { totalCount: String(look.total), paginationResponse: { totalSize: look.total } }
          : { totalCount: '' }),
      });
    }, 20);
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
  Object.assign(look, { total: 23, withTotal: true, shortAt: undefined, inFlight: 0, maxInFlight: 0, offsets: [] });
  defaultTokenCache.clear();
  defaultTokenStore.clear();
});

const client = (maxConcurrent = 4) =>
  createTdSynnexClient({
    credentials: { refreshToken: 'ion-refresh-initial' },
    accountId: ACCOUNT,
    baseUrl,
    pageSize: LIMIT,
    rateLimit: { requests: 100_000, perMs: 1_000, maxConcurrent },
    retry: { retries: 0 },
  });

async function pagesOf(c: ReturnType<typeof client>, cursor?: string) {
  const pages: { ids: string[]; next: string | undefined }[] = [];
  for await (const page of c.listSubscriptions().byPage({ cursor })) {
    pages.push({ ids: page.items.map((s) => s.id), next: page.nextCursor });
  }
  return pages;
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(9000 + from + i));

it('reads the pages after the first one ahead, up to requestConcurrency at once, delivered in order', async () => {
  const pages = await pagesOf(client(4));
  expect(pages.map((p) => p.next)).toEqual(['5', '10', '15', '20', undefined]);
  expect(pages.flatMap((p) => p.ids)).toEqual(ids(0, 23));
  // The first page alone (it says the total), then the other four at once; each offset asked for once.
  expect(look.maxInFlight).toBe(4);
  expect([...look.offsets].sort((a, b) => a - b)).toEqual([0, 5, 10, 15, 20]);
});

it('resumes from a cursor (an offset) and reads ahead from there', async () => {
  const pages = await pagesOf(client(4), '10');
  expect(pages.flatMap((p) => p.ids)).toEqual(ids(10, 23));
  expect(pages.map((p) => p.next)).toEqual(['15', '20', undefined]);
});

it('reads page by page when the answers carry no total', async () => {
  look.withTotal = false;
  const pages = await pagesOf(client(4));
  expect(pages.flatMap((p) => p.ids)).toEqual(ids(0, 23));
  expect(look.maxInFlight).toBe(1);
});

it('after a short page, continues from what it returned: nothing skipped, nothing repeated', async () => {
  look.shortAt = 5;
  const pages = await pagesOf(client(4));
  // Page 5..9 held 5..8 only: the next page is read at offset 9, whatever was read ahead at 10 and 15 is dropped.
  expect(pages.map((p) => p.next)).toEqual(['5', '9', '14', '19', undefined]);
  expect(pages.flatMap((p) => p.ids)).toEqual(ids(0, 23));
});

it('keeps to one request at a time with maxConcurrent 1', async () => {
  const pages = await pagesOf(client(1));
  expect(pages.flatMap((p) => p.ids)).toEqual(ids(0, 23));
  expect(look.maxInFlight).toBe(1);
});
