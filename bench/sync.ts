/**
 * `sync-requests-vs-minimum` and `sync-heap-growth-mb`: a full `listSubscriptions()` of 100,000 subscriptions,
 * streamed with `for await`. Requests made / ceil(N / 200); heap growth is the largest `heapUsed` after a forced
 * GC (every 10 pages) minus the baseline, measured in a child process started with `--expose-gc`.
 *
 * `sync-all-requests-vs-minimum`: `syncAll` (dist/workflows.js) of 2,000 Pax8 customers with 100,000
 * subscriptions; list requests made / (ceil(2,000 / 200) + ceil(100,000 / 200)) = 510. One listing per customer
 * would make 10 + 2,000.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Figure, benchClient, figure, round } from './lib.js';
import { MAX_PAGE_SIZE, spawnServer } from './server.js';

const TOTAL = 100_000;
const CUSTOMERS = 2_000;

type Workflows = typeof import('../src/workflows/index.js');

/** `syncAll` over the bench server's 2,000 companies and 100,000 subscriptions: its list requests vs the minimum. */
async function syncAllFigure(): Promise<Figure> {
  const { Marketplaces, syncAll } = (await import(new URL('../dist/workflows.js', import.meta.url).href)) as Workflows;
  const server = await spawnServer({ total: TOTAL, customers: CUSTOMERS });
  try {
    const client = benchClient(server.baseUrl);
    const started = performance.now();
    const counts = { customer: 0, subscription: 0, error: 0 };
    for await (const record of syncAll(new Marketplaces([client]))) counts[record.type]++;
    const seconds = (performance.now() - started) / 1000;
    const stats = await server.stats();
    if (counts.customer !== CUSTOMERS || counts.subscription !== TOTAL || counts.error !== 0) {
      throw new Error(`syncAll gave ${JSON.stringify(counts)}`);
    }
    const requests = stats.companies + stats.list;
    const minimum = Math.ceil(CUSTOMERS / MAX_PAGE_SIZE) + Math.ceil(TOTAL / MAX_PAGE_SIZE);
    const note = `${requests} list requests (${stats.companies} of companies, ${stats.list} of subscriptions) for ${CUSTOMERS} customers and ${TOTAL} subscriptions (minimum ${minimum}; one listing per customer: ${Math.ceil(CUSTOMERS / MAX_PAGE_SIZE) + CUSTOMERS}) in ${round(seconds, 1)} s`;
    return figure('sync-all-requests-vs-minimum', round(requests / minimum), 'ratio', ['==', 1], note);
  } finally {
    await server.close();
  }
}

interface ChildResult {
  items: number;
  baselineMb: number;
  peakGrowthMb: number;
  endGrowthMb: number;
  seconds: number;
}

export async function run(): Promise<Figure[]> {
  const server = await spawnServer({ total: TOTAL });
  try {
    const child = fork(fileURLToPath(import.meta.url), ['--child', server.baseUrl], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const result = await new Promise<ChildResult>((resolve, reject) => {
      child.once('message', (m: ChildResult) => resolve(m));
      child.once('exit', (code) => reject(new Error(`sync child exited (${code})`)));
    });
    const stats = await server.stats();
    if (result.items !== TOTAL) throw new Error(`listed ${result.items} subscriptions, expected ${TOTAL}`);
    const minimum = Math.ceil(TOTAL / MAX_PAGE_SIZE);
    const note = `${stats.list} list requests for ${TOTAL} items (minimum ${minimum}) in ${round(result.seconds, 1)} s; heap baseline ${round(result.baselineMb, 1)} MB, growth at the end ${round(result.endGrowthMb, 1)} MB`;
    return [
      figure('sync-requests-vs-minimum', round(stats.list / minimum), 'ratio', ['==', 1], note),
      figure('sync-heap-growth-mb', round(result.peakGrowthMb, 1), 'MB', ['<', 50], note),
      await syncAllFigure(),
    ];
  } finally {
    await server.close();
  }
}

async function child(baseUrl: string): Promise<ChildResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const client = benchClient(baseUrl);
  const heap = () => {
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const baselineMb = heap();
  let peak = baselineMb;
  let items = 0;
  const started = performance.now();
  for await (const subscription of client.listSubscriptions()) {
    if (subscription.quantity >= 0) items++;
    if (items % (MAX_PAGE_SIZE * 10) === 0) peak = Math.max(peak, heap());
  }
  const end = heap();
  return {
    items,
    baselineMb,
    peakGrowthMb: Math.max(peak, end) - baselineMb,
    endGrowthMb: end - baselineMb,
    seconds: (performance.now() - started) / 1000,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  const result = await child(process.argv[3]!);
  process.send?.(result);
  process.disconnect?.();
}
