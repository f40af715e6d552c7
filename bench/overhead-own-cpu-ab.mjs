/**
 * A/B of the SDK's own CPU per call (issue 21, not part of `bench/run.ts`): sequential Pax8 `getSubscription` calls
 * on an in-memory fetch, two or more bundles in one process, blocks of `calls` interleaved over 15 rounds (order
 * rotated), process CPU time per call; prints each bundle's median, its median minus the same fetch + `JSON.parse`,
 * and each bundle's median per-round difference to the first (paired, so load moves both alike).
 *
 *   node bench/overhead-own-cpu-ab.mjs /tmp/before/pax8.js dist/pax8.js [calls=5000]
 */
import { REF, body, token, warmPax8Client } from './overhead-fixture.mjs';
const files = process.argv.slice(2).filter((a) => !/^\d+$/.test(a));
const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5000);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const json = { 'content-type': 'application/json' };
const memoryFetch = async (url) =>
  new Response(String(url).endsWith('/token') ? token : body, { status: 200, headers: json });
const calls = [];
for (const f of files) {
  const sdk = await warmPax8Client(f, memoryFetch);
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
