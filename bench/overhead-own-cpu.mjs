/**
 * The SDK's own CPU per call, for profiling (issue 21): process CPU time of sequential Pax8 `getSubscription` calls
 * (or listing pages of 200 subscriptions) on an in-memory fetch, minus the same fetch + `JSON.parse`; median of 7.
 *
 *   npm run build && node bench/overhead-own-cpu.mjs [bundle=dist/pax8.js] [iterations=20000] [get|list]
 *   node --cpu-prof bench/overhead-own-cpu.mjs dist/pax8.js 60000 get     # a profile of the same loop
 */
import { CUSTOMER_ID, REF, body, sub, token, warmPax8Client } from './overhead-fixture.mjs';
const N = Number(process.argv[3] ?? 20000);
const mode = process.argv[4] ?? 'get';
const page = JSON.stringify({
  page: { size: 200, totalElements: 200, totalPages: 1, number: 0 },
  content: Array.from({ length: 200 }, (_, i) => sub(`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`)),
});
const json = { 'content-type': 'application/json' };
const memoryFetch = async (url) => {
  const u = String(url);
  return new Response(u.endsWith('/token') ? token : u.includes('/subscriptions?') ? page : body, {
    status: 200,
    headers: json,
  });
};
const sdk = await warmPax8Client(process.argv[2] ?? 'dist/pax8.js', memoryFetch);
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
