/**
 * Issue 17 fixes against a plain node:http look-alike of StreamOne Ion (written from tdsynnex.yaml, unlike the msw
 * fake): the catalog is listed one Ion page per SDK page (a limit stops early), and `cancelOrder` sends no body
 * (the spec's `:cancel` operation takes none; this look-alike answers 415 to one, as a strict gateway would).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { defaultTokenCache } from '../../../src/core/auth/token-provider.js';
import { defaultTokenStore } from '../../../src/core/auth/token-store.js';
import { createTdSynnexClient } from '../../../src/providers/td-synnex/index.js';

const ACCOUNT = '4242';
const PAGES = 50; // a catalog far larger than anyone lists to find a product
const seen: { method: string; url: string; contentType: string | undefined; body: string }[] = [];
let server: Server;
let baseUrl = '';

function product(n: number) {
  return {
    name: `accounts/${ACCOUNT}/products/p${n}`,
    marketing: { displayName: `Product ${n}` },
    definition: {
      skus: [
        {
          id: `s${n}`,
          displayName: `SKU ${n}`,
          plans: [{ id: 'P1M', displayName: 'Monthly', billingPeriod: 'MONTHLY' }],
        },
      ],
    },
  };
}

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({
        method: req.method ?? '',
        url: url.pathname + url.search,
        contentType: req.headers['content-type'],
        body,
      });
      if (url.pathname === '/oauth/token') {
        // Rotating refresh token, as Ion does.
        return answer(res, 200, {
          access_token: 'ion-access',
          expires_in: 3600,
          refresh_token: `next-${seen.length}`,
          token_type: 'Bearer',
        });
      }
      if (url.pathname === `/api/v3/accounts/${ACCOUNT}/products`) {
        const page = Number(url.searchParams.get('pageToken') ?? '0');
        return answer(res, 200, {
          products: [product(page * 2), product(page * 2 + 1)],
          nextPageToken: page + 1 < PAGES ? String(page + 1) : '',
        });
      }
      const cancel = url.pathname.match(/^\/api\/v3\/accounts\/\d+\/customers\/(\d+)\/orders\/(\d+):cancel$/);
      if (cancel && req.method === 'POST') {
        if (body !== '' || req.headers['content-type'])
          return answer(res, 415, { error: { code: 415, message: 'this operation takes no request body' } });
        return answer(res, 200, {
          name: `accounts/${ACCOUNT}/customers/${cancel[1]}/orders/${cancel[2]}`,
          orderId: cancel[2],
          status: 'CANCELLED',
        });
      }
      answer(res, 404, { error: { code: 404, message: 'not found' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  defaultTokenCache.clear();
  defaultTokenStore.clear();
});

const client = () =>
  createTdSynnexClient({
    credentials: { refreshToken: 'ion-refresh-initial' },
    accountId: ACCOUNT,
    baseUrl,
    rateLimit: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });

const catalogRequests = () => seen.filter((r) => r.url.startsWith(`/api/v3/accounts/${ACCOUNT}/products`));

it('lists the catalog one Ion page per page: a limit stops after the pages it needs', async () => {
  const c = client();
  const first = await c.listProducts().toArray({ limit: 3 });
  expect(first.map((p) => p.id)).toEqual(['p0/s0', 'p1/s1', 'p2/s2']);
  expect(catalogRequests()).toHaveLength(2);

  seen.length = 0;
  const pages: string[][] = [];
  for await (const page of c.listProducts().byPage()) {
    pages.push(page.items.map((p) => p.id));
    if (pages.length === 2) break;
  }
  expect(pages).toEqual([
    ['p0/s0', 'p1/s1'],
    ['p2/s2', 'p3/s3'],
  ]);
  expect(catalogRequests()).toHaveLength(2);
  expect(catalogRequests()[1]!.url).toContain('pageToken=1');
});

it('resumes the catalog from a cursor and reads it to the end', async () => {
  const c = client();
  const pages = c.listProducts().byPage({ cursor: String(PAGES - 2) });
  const ids: string[] = [];
  for await (const page of pages) ids.push(...page.items.map((p) => p.id));
  expect(ids).toEqual([
    `p${2 * PAGES - 4}/s${2 * PAGES - 4}`,
    `p${2 * PAGES - 3}/s${2 * PAGES - 3}`,
    `p${2 * PAGES - 2}/s${2 * PAGES - 2}`,
    `p${2 * PAGES - 1}/s${2 * PAGES - 1}`,
  ]);
});

it('cancels an order without a request body', async () => {
  const state = await client().cancelOrder('1001', '77');
  expect(state.status).toBe('cancelled');
  const sent = seen.find((r) => r.url.endsWith(':cancel'))!;
  expect(sent).toMatchObject({ method: 'POST', body: '', contentType: undefined });
});
