/**
 * Issue 20: D&H lists customers by walking the reseller tree (GetCompanies for a reseller's companies,
 * GetResellers for its sub-resellers: SimpleAPI has no paging, dandh-tdsynnex.md 1.6). The two calls of one
 * reseller do not depend on each other, so they are sent at once: the walk costs one round trip per reseller.
 * Against a plain node:http look-alike (POST-only RPC, session token) that answers after a moment and counts
 * requests in flight; it also checks the walk's order and cursors are those of before.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createDandhClient } from '../../../src/providers/dandh/index.js';
import { type LookAlikeServer, send, startLookAlike } from '../../helpers/lookalike.js';

const ROOT = 1;
/** Reseller -> its sub-resellers and its companies. */
const TREE: Record<number, { resellers: number[]; companies: number[] }> = {
  1: { resellers: [2], companies: [1001, 1002] },
  2: { resellers: [], companies: [2001] },
};
const state = { inFlight: 0, maxInFlight: 0, calls: [] as string[] };
let server: LookAlikeServer;

beforeAll(async () => {
  server = await startLookAlike((req, res) => {
    const method = req.path.split('/').pop() ?? '';
    if (method === 'GetSessionToken') return send(res, 200, JSON.stringify('walk-session'));
    if (req.headers.authenticate !== 'CCPSessionId walk-session') return send(res, 401, { Message: 'no session' });
    const parent = Number((req.json as { parentAccountId?: unknown })?.parentAccountId);
    state.calls.push(`${method} ${parent}`);
    const node = TREE[parent];
    if (!node) return send(res, 404, { Message: `no reseller ${parent}` });
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    setTimeout(() => {
      state.inFlight -= 1;
      if (method === 'GetCompanies') {
        return send(
          res,
          200,
          node.companies.map((id) => ({ AccountId: id, CompanyName: `Company ${id}`, AccountState: 'Active' })),
        );
      }
      if (method === 'GetResellers') {
        return send(
          res,
          200,
          node.resellers.map((id) => ({ AccountId: id, CompanyName: `Reseller ${id}`, AccountType: 'Reseller' })),
        );
      }
      send(res, 404, { Message: `no route ${method}` });
    }, 25);
  });
});
afterAll(() => server.close());
beforeEach(() => {
  Object.assign(state, { inFlight: 0, maxInFlight: 0, calls: [] });
});

const client = (includeSubResellers?: boolean) =>
  createDandhClient({
    credentials: { username: 'walk.API', password: `pw-${Math.random()}` },
    accountId: ROOT,
    baseUrl: server.url,
    rateLimit: { requests: 100_000, perMs: 1_000, maxConcurrent: 4 },
    retry: { retries: 0 },
    ...(includeSubResellers === undefined ? {} : { includeSubResellers }),
  });

it("asks for a reseller's companies and its sub-resellers at once; pages and cursors as before", async () => {
  const pages: { ids: string[]; next: string | undefined }[] = [];
  for await (const page of client().listCustomers().byPage()) {
    pages.push({ ids: page.items.map((c) => c.id), next: page.nextCursor });
  }
  expect(pages).toEqual([
    { ids: ['1001', '1002'], next: '2' },
    { ids: ['2001'], next: undefined },
  ]);
  expect(state.maxInFlight).toBe(2);
  expect([...state.calls].sort()).toEqual(['GetCompanies 1', 'GetCompanies 2', 'GetResellers 1', 'GetResellers 2']);
});

it('without the walk, asks for the companies only', async () => {
  const customers = await client(false).listCustomers().toArray({ limit: Number.POSITIVE_INFINITY });
  expect(customers.map((c) => c.id)).toEqual(['1001', '1002']);
  expect(state.calls).toEqual(['GetCompanies 1']);
});
