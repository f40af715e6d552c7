/**
 * Runs every benchmark: `npx tsx bench/run.ts [--json] [name-filter...]`.
 * `--json` prints one `{"name","value","unit","goal","holds","p10","p50","p90","rounds","us"}` object per line
 * (p10/p50/p90: the figure's spread over its rounds; `us`: the absolute times behind it, or null; `skipped`: why a
 * figure that needs something absent, e.g. Redis, was not measured); otherwise a table.
 */
import type { Figure } from './lib.js';

const suites: Record<string, () => Promise<{ run: () => Promise<Figure[]> }>> = {
  overhead: () => import('./overhead.js'),
  token: () => import('./token-single-flight.js'),
  'token-cancel-expiry': () => import('./token-cancel-expiry.js'),
  'rate-limit': () => import('./rate-limit.js'),
  sync: () => import('./sync.js'),
  'sync-vendors': () => import('./sync-vendors.js'),
  import: () => import('./import-time.js'),
  bundle: () => import('./bundle.js'),
  fleet: () => import('./fleet.js'),
  'fleet-sync': () => import('./fleet-sync.js'),
};

const args = process.argv.slice(2);
const json = args.includes('--json');
const filters = args.filter((a) => !a.startsWith('--'));
const selected = Object.keys(suites).filter((s) => filters.length === 0 || filters.some((f) => s.includes(f)));

const figures: Figure[] = [];
for (const name of selected) {
  const started = performance.now();
  if (!json) process.stderr.write(`running ${name}...`);
  const { run } = await suites[name]!();
  const got = await run();
  if (!json) process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  for (const f of got) {
    figures.push(f);
    if (json) {
      const { name, value, unit, goal, holds, spread, us, skipped } = f;
      console.log(JSON.stringify({ name, value, unit, goal, holds, ...spread, us, ...(skipped ? { skipped } : {}) }));
    }
  }
}

if (!json) {
  const rows = [
    ['figure', 'value', 'p10..p90', 'unit', 'goal', 'holds'],
    ...figures.map((f) => [
      f.name,
      String(f.value),
      f.spread.rounds > 1 ? `${f.spread.p10}..${f.spread.p90}` : '-',
      f.unit,
      f.goal ?? '-',
      f.skipped ? `skipped: ${f.skipped}` : f.holds === null ? '-' : f.holds ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('');
  for (const f of figures) {
    const us = f.us
      ? ` [${Object.entries(f.us)
          .map(([k, v]) => `${k} ${v} µs`)
          .join(', ')}]`
      : '';
    if (f.note || us) console.log(`${f.name}: ${f.note ?? ''}${us}`);
  }
}
