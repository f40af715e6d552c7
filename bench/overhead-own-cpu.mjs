/**
 * The SDK's own CPU per call, for profiling (issue 21): process CPU time of sequential Pax8 `getSubscription` calls
 * (or listing pages of 200 subscriptions) on an in-memory fetch, minus the same fetch + `JSON.parse`; median of 7.
 *
 *   npm run build && node bench/overhead-own-cpu.mjs [bundle=dist/pax8.js] [iterations=20000] [get|list]
 *   node --cpu-prof bench/overhead-own-cpu.mjs dist/pax8.js 60000 get     # a profile of the same loop
 */
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
const file = pathToFileURL(process.argv[2] ?? 'dist/pax8.js').href;
const N = Number(process.argv[3] ?? 20000);
const mode = process.argv[4] ?? 'get';
const { createPax8Client } = await import(file);
const CUSTOMER_ID = '0c9e2a44-0000-4000-8000-000000000001';
const REF = { customerId: CUSTOMER_ID, subscriptionId: '0c9e2a44-0000-4000-8000-000000000003' };
const sub = (id) => ({
  id,
  companyId: CUSTOMER_ID,
  productId: '0c9e2a44-0000-4000-8000-000000000002',
  productName: 'Microsoft 365 Business Premium',
  vendorSubscriptionId: 'a1b2c3d4-e5f6-4a5b-8c7d-0123456789ab',
  vendorSkuId: 'CFQ7TTC0LCHC:0002',
  quantity: 25,
  startDate: '2024-01-15T00:00:00Z',
  createdDate: '2024-01-15T10:22:31.153-0700',
  updatedDate: '2024-06-01T08:00:00.000-0700',
  billingStart: '2024-01-15',
  status: 'Active',
  price: 22,
  partnerCost: 18.7,
  currencyCode: 'USD',
  billingTerm: 'Monthly',
  commitmentTerm: null,
});
const body = JSON.stringify(sub(REF.subscriptionId));
const page = JSON.stringify({
  page: { size: 200, totalElements: 200, totalPages: 1, number: 0 },
  content: Array.from({ length: 200 }, (_, i) => sub(`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`)),
});
const token = JSON.stringify({ access_token: 'bench-token', expires_in: 86400, token_type: 'Bearer' });
const json = { 'content-type': 'application/json' };
const memoryFetch = async (url) => {
  const u = String(url);
  return new Response(u.endsWith('/token') ? token : u.includes('/subscriptions?') ? page : body, {
    status: 200,
    headers: json,
  });
};
const sdk = createPax8Client({
  credentials: { clientId: `bench-${randomUUID()}`, clientSecret: 'bench-secret' },
  baseUrl: 'http://127.0.0.1:9/v1',
  rateLimit: { requests: 1_000_000, perMs: 1000, maxConcurrent: 64 },
  fetch: memoryFetch,
});
await sdk.getSubscription(REF);
const url = 'http://127.0.0.1:9/v1/subscriptions/x';
const base = async () => JSON.parse(await (await memoryFetch(url)).text());
const call =
  mode === 'list'
    ? async () => {
        for await (const _p of sdk.listSubscriptions({ customerId: CUSTOMER_ID }).byPage()) {
        }
      }
    : () => sdk.getSubscription(REF);
const baseList = async () => JSON.parse(await (await memoryFetch('http://x/subscriptions?a')).text());
const b = mode === 'list' ? baseList : base;
async function time(fn, n) {
  const c = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / n;
}
await time(call, N / 4);
await time(b, N / 4);
const rs = [];
for (let r = 0; r < 7; r++) {
  const s = await time(call, N / 2);
  const f = await time(b, N / 2);
  rs.push(s - f);
}
rs.sort((a, b) => a - b);
console.log(`${mode}: own µs per call (median of 7): ${rs[3].toFixed(2)}  [${rs.map((x) => x.toFixed(1)).join(' ')}]`);
