/**
 * Where the SDK's per-call time goes against a real server (issue 21, not part of `bench/run.ts`): sequential calls
 * in blocks of 400, block order rotated over 24 rounds, one process; per task the median wall and process CPU µs
 * per call and the median per-round ratio to plain fetch. Tasks: plain fetch with the SDK's three headers; + the
 * SDK's `redirect: 'manual'`; + a fresh AbortController's signal; both; the SDK's `getSubscription` (dist/); and
 * the base build when `BENCH_BASE_DIST` is set.
 *
 *   npx tsx bench/server.ts &      # prints its URL
 *   npm run build && node bench/overhead-ab.mjs http://127.0.0.1:<port>/v1
 *   node --cpu-prof bench/overhead-ab.mjs <url>          # one profile of all tasks
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { REF } from './overhead-fixture.mjs';

const base = process.argv[2];
if (!base) throw new Error('usage: node bench/overhead-ab.mjs <bench server base URL>');
const url = `${base}/subscriptions/${REF.subscriptionId}`;
const h3 = {
  'user-agent': 'msp-marketplace-sdk/0.1.0',
  accept: 'application/json',
  authorization: 'Bearer bench-token',
};
const json = async (r) => JSON.parse(await (await r).text());
const tasks = {
  plain: () => json(fetch(url, { headers: { ...h3 } })),
  manual: () => json(fetch(url, { headers: { ...h3 }, redirect: 'manual' })),
  sig: () => json(fetch(url, { headers: { ...h3 }, signal: new AbortController().signal })),
  sigmanual: () => json(fetch(url, { headers: { ...h3 }, signal: new AbortController().signal, redirect: 'manual' })),
};
const builds = [['sdk', 'dist/pax8.js']];
if (process.env.BENCH_BASE_DIST) builds.push(['sdkbase', process.env.BENCH_BASE_DIST]);
for (const [name, file] of builds) {
  const { createPax8Client } = await import(pathToFileURL(file).href);
  const client = createPax8Client({
    credentials: { clientId: `bench-${randomUUID()}`, clientSecret: 'bench-secret' },
    baseUrl: base,
    rateLimit: { requests: 1_000_000, perMs: 1000, maxConcurrent: 64 },
  });
  await client.getSubscription(REF);
  tasks[name] = () => client.getSubscription(REF);
}
const names = Object.keys(tasks);
const res = Object.fromEntries(names.map((n) => [n, { w: [], c: [] }]));
for (const n of names) for (let i = 0; i < 300; i++) await tasks[n]();
for (let r = 0; r < 24; r++) {
  for (let j = 0; j < names.length; j++) {
    const n = names[(j + r) % names.length];
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < 400; i++) await tasks[n]();
    res[n].w.push(((performance.now() - t0) * 1000) / 400);
    const d = process.cpuUsage(c0);
    res[n].c.push((d.user + d.system) / 400);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const n of names) {
  const ratio = med(res[n].w.map((x, i) => x / res.plain.w[i]));
  console.log(
    `${n.padEnd(10)} wall ${med(res[n].w).toFixed(1)} µs  cpu ${med(res[n].c).toFixed(1)} µs  vs plain ${ratio.toFixed(3)}`,
  );
}
