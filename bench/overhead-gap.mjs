/**
 * The client's work between two requests (issue 21, not part of `bench/run.ts`): against an idle server every µs
 * of it costs about 3 µs of latency (`control-30us-cpu-vs-fetch`), so this is what the overhead figures follow,
 * measured without a network. The `fetch` given to each client builds a `Request` from what it is handed (as
 * undici's fetch does before it sends: following the signal included) and answers on the next event-loop turn
 * (`setImmediate`), so work the client queues while a request is "on the wire" runs before the answer, as it does
 * against a real server. The figure is the time from the moment an answer is handed over to the moment the next
 * request is passed to `fetch`: the median per round of 2,000 sequential `getSubscription` calls, then the median
 * over the rounds (bundles and the two plain-fetch tasks interleaved, order rotated), and for each bundle after the
 * first the median of its per-round difference to the first.
 *
 *   npm run build && node bench/overhead-gap.mjs dist/pax8.js [/tmp/base/pax8.js ...] [calls=2000]
 */
import { REF, body, token, warmPax8Client } from './overhead-fixture.mjs';

const args = process.argv.slice(2);
const files = args.filter((a) => !/^\d+$/.test(a));
if (files.length === 0) files.push('dist/pax8.js');
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const json = { 'content-type': 'application/json' };
const withLength = { ...json, 'content-length': String(Buffer.byteLength(body)) };

/** When the last answer was handed over (0: none yet in this block); the gaps of the block being measured. */
let answered = 0;
let gaps = null;
const fetchLater = (url, init) => {
  const now = performance.now();
  if (gaps && answered) gaps.push(now - answered);
  new Request(url, init);
  return new Promise((resolve) =>
    setImmediate(() => {
      const isToken = String(url).endsWith('/token');
      const response = new Response(isToken ? token : body, { status: 200, headers: isToken ? json : withLength });
      answered = performance.now();
      resolve(response);
    }),
  );
};

const tasks = {};
for (const file of files) {
  const sdk = await warmPax8Client(file, fetchLater);
  tasks[file] = () => sdk.getSubscription(REF);
}
const headers = { authorization: 'Bearer bench-token', accept: 'application/json' };
tasks['fetch+timeout'] = async () => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  try {
    return JSON.parse(await (await fetchLater('http://x/s', { headers, signal: controller.signal })).text());
  } finally {
    clearTimeout(timer);
  }
};
tasks.fetch = async () => JSON.parse(await (await fetchLater('http://x/s', { headers })).text());

const names = Object.keys(tasks);
const res = Object.fromEntries(names.map((n) => [n, []]));
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const n of names) for (let i = 0; i < 500; i++) await tasks[n]();
for (let r = 0; r < ROUNDS; r++) {
  for (let j = 0; j < names.length; j++) {
    const n = names[(j + r) % names.length];
    gaps = [];
    answered = 0;
    for (let i = 0; i < N; i++) await tasks[n]();
    res[n].push(median(gaps) * 1000);
    gaps = null;
  }
}
for (const n of names) {
  const sorted = [...res[n]].sort((a, b) => a - b);
  console.log(
    `${n.padEnd(16)} gap ${median(res[n]).toFixed(2)} µs (rounds ${sorted[0].toFixed(1)}..${sorted.at(-1).toFixed(1)})`,
  );
}
for (const n of files.slice(1)) {
  console.log(
    `${n} - ${files[0]}: ${median(res[n].map((x, i) => x - res[files[0]][i])).toFixed(2)} µs (median per round)`,
  );
}
