/**
 * A/B of the SDK's own CPU per call (issue 21, not part of `bench/run.ts`): sequential Pax8 `getSubscription` calls
 * on an in-memory fetch, two or more bundles in one process, blocks of `calls` interleaved over 15 rounds (order
 * rotated), process CPU time per call; prints each bundle's median, its median minus the same fetch + `JSON.parse`,
 * and each bundle's median per-round difference to the first (paired, so load moves both alike).
 *
 *   node bench/overhead-own-cpu-ab.mjs /tmp/before/pax8.js dist/pax8.js [calls=5000]
 */
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
const files = process.argv.slice(2).filter((a) => !/^\d+$/.test(a));
const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5000);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const CUSTOMER_ID = '0c9e2a44-0000-4000-8000-000000000001';
const REF = { customerId: CUSTOMER_ID, subscriptionId: '0c9e2a44-0000-4000-8000-000000000003' };
const body = JSON.stringify({
  id: REF.subscriptionId,
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
const token = JSON.stringify({ access_token: 'bench-token', expires_in: 86400, token_type: 'Bearer' });
const json = { 'content-type': 'application/json' };
const memoryFetch = async (url) =>
  new Response(String(url).endsWith('/token') ? token : body, { status: 200, headers: json });
const calls = [];
for (const f of files) {
  const { createPax8Client } = await import(pathToFileURL(f).href);
  const sdk = createPax8Client({
    credentials: { clientId: `bench-${randomUUID()}`, clientSecret: 'bench-secret' },
    baseUrl: 'http://127.0.0.1:9/v1',
    rateLimit: { requests: 1_000_000, perMs: 1000, maxConcurrent: 64 },
    fetch: memoryFetch,
  });
  await sdk.getSubscription(REF);
  calls.push(() => sdk.getSubscription(REF));
}
const base = async () => JSON.parse(await (await memoryFetch('http://127.0.0.1:9/v1/subscriptions/x')).text());
calls.push(base);
async function time(fn, n) {
  const c = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / n;
}
for (const c of calls) await time(c, N);
const res = calls.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < calls.length; k++) {
    const i = (k + r) % calls.length;
    res[i].push(await time(calls[i], N));
  }
}
const med = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
};
const names = [...files, 'fetch+parse'];
for (const [i, a] of res.entries()) {
  const own = med(a.map((x, j) => x - res.at(-1)[j]));
  console.log(
    `${names[i]}: median ${med(a).toFixed(2)} µs  min ${Math.min(...a).toFixed(2)}  minus fetch+parse ${own.toFixed(2)}`,
  );
}
for (let i = 1; i < files.length; i++)
  console.log(`paired ${names[i]} - ${names[0]}: median ${med(res[i].map((x, j) => x - res[0][j])).toFixed(2)} µs`);
