#!/usr/bin/env node
// Reads `npm run -s bench -- --json` on stdin and checks its shape (CI): every line one figure with
// name/value/unit/goal/holds, its spread (p10/p50/p90 over `rounds`) and absolute µs (`us`, or null), every expected
// figure present once; only a figure in SKIPPABLE may instead say `"skipped": "<why>"` (with a null goal). It prints the figures; it does not gate on goals
// (timings on a shared CI machine are not results; docs/performance.md has the measured ones).
import { text } from 'node:stream/consumers';

const EXPECTED = [
  'overhead-vs-fetch',
  'overhead-vs-openapi-fetch',
  'overhead-vs-fetch-with-timeout',
  'control-30us-cpu-vs-fetch',
  'sdk-own-cpu-us',
  'overhead-vs-fetch-busy-server',
  'overhead-vs-openapi-fetch-busy-server',
  'overhead-vs-fetch-with-timeout-busy-server',
  'control-30us-cpu-vs-fetch-busy-server',
  'token-requests-1000-concurrent',
  'token-abort-collateral-failures',
  'token-expiry-wasted-401s',
  'rate-limit-utilisation',
  'rate-limit-429s',
  'sync-requests-vs-minimum',
  'sync-heap-growth-mb',
  'sync-all-requests-vs-minimum',
  'import-time-vs-deps',
  'pax8-only-bundle-gzip-kb',
  'pax8-bundle-redis-only-packages',
  'pax8-bundle-foreign-providers',
  'fleet-rate-limit-utilisation',
  // Issue 20: the estate figures of bench/sync-vendors.ts, per vendor, and the fleet of bench/fleet-sync.ts.
  ...['pax8', 'ingram', 'sherweb', 'td-synnex', 'dandh', 'partner-center'].flatMap((v) => [
    `sync-requests-vs-minimum-${v}`,
    `sync-wall-vs-bound-${v}`,
    `sync-heap-growth-mb-${v}`,
  ]),
  'fleet-sync-wall-vs-bound',
];
// Figures that need something CI may lack (Redis) and may print `"skipped": "<why>"` instead of a measurement.
const SKIPPABLE = ['fleet-rate-limit-utilisation', 'fleet-sync-wall-vs-bound'];

const problems = [];
const seen = new Map();
const lines = (await text(process.stdin)).split('\n').filter((l) => l.trim() !== '');
for (const line of lines) {
  let f;
  try {
    f = JSON.parse(line);
  } catch {
    problems.push(`not JSON: ${line.slice(0, 80)}`);
    continue;
  }
  const ok =
    typeof f.name === 'string' &&
    typeof f.value === 'number' &&
    Number.isFinite(f.value) &&
    typeof f.unit === 'string' &&
    (f.goal === null || typeof f.goal === 'string') &&
    (f.holds === null || typeof f.holds === 'boolean') &&
    (f.goal === null) === (f.holds === null) &&
    // The spread over rounds and the absolute times behind the figure (null when it is not a time).
    ['p10', 'p50', 'p90'].every((k) => typeof f[k] === 'number' && Number.isFinite(f[k])) &&
    f.p10 <= f.p50 &&
    f.p50 <= f.p90 &&
    Number.isInteger(f.rounds) &&
    f.rounds >= 1 &&
    (f.us === null || (typeof f.us === 'object' && Object.values(f.us).every((v) => typeof v === 'number'))) &&
    (f.skipped === undefined || (typeof f.skipped === 'string' && SKIPPABLE.includes(f.name) && f.goal === null));
  if (!ok) problems.push(`bad figure: ${line}`);
  if (f.skipped !== undefined) {
    seen.set(f.name, (seen.get(f.name) ?? 0) + 1);
    console.log(`${f.name}: skipped (${f.skipped})`);
    continue;
  }
  seen.set(f.name, (seen.get(f.name) ?? 0) + 1);
  const spread = f.rounds > 1 ? ` [p10 ${f.p10}, p50 ${f.p50}, p90 ${f.p90} over ${f.rounds} rounds]` : '';
  const us = f.us
    ? ` {${Object.entries(f.us)
        .map(([k, v]) => `${k} ${v} µs`)
        .join(', ')}}`
    : '';
  console.log(
    `${f.name}: ${f.value} ${f.unit}${f.goal ? ` (goal ${f.goal}: ${f.holds ? 'holds' : 'missed'})` : ''}${spread}${us}`,
  );
}
for (const name of EXPECTED) if (seen.get(name) !== 1) problems.push(`${name}: ${seen.get(name) ?? 0} times`);
for (const name of seen.keys()) if (!EXPECTED.includes(name)) problems.push(`unexpected figure ${name}`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`bench: ${lines.length} figures, all well-formed`);
