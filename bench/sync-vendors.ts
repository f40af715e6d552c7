/**
 * The estate figures of issue 20, for each of the six vendors (`npx tsx bench/run.ts sync-vendors`):
 *
 * - `sync-requests-vs-minimum-<vendor>`: API requests of `syncAll` over a 1,000-customer estate / the minimum the
 *   vendor's API needs: one request per page of each listing at the page size the client asks for (per customer
 *   where the vendor lists subscriptions per customer), plus, for Ingram Micro, one detail read per subscription
 *   (its list rows carry no quantity), for Pax8 one commitment-rules read per distinct product, for D&H the walk of
 *   the reseller tree (GetResellers + GetCompanies per reseller) and one GetFieldsForService per distinct service.
 *   Goal 1.00.
 * - `sync-wall-vs-bound-<vendor>`: the same sync's wall time / the physical floor
 *   `token + max(requests / rate limit, requests x latency / maxConcurrent, longest page chain x latency)`, on a
 *   look-alike answering after 150 ± 50 ms (seeded) under the vendor's documented limit scaled so a run takes
 *   seconds (the scale is in the note). A page chain is a listing's pages, read one after the other (each page's
 *   cursor comes from the one before). Goal <= 1.10 with 0 x 429.
 * - `sync-heap-growth-mb-<vendor>`: the largest heap growth (after a forced GC) while `syncAll` streams an estate of
 *   100,000 subscriptions (Ingram Micro: 20,000, each one more request) in a child process started with
 *   `--expose-gc`, the look-alike in this process without latency. Goal < 50 MB.
 *
 * Each figure is one run (rounds: 1): the wall figure takes seconds per vendor and its spread over a few runs was
 * within ±0.03 (docs/performance.md).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MarketplaceClient } from '../src/core/marketplace-client.js';
import type * as Workflows from '../src/workflows/index.js';
import { type Figure, figure, round } from './lib.js';
import { VENDORS, type Vendor, load, spawnEstate } from './sync-estate.js';

const CUSTOMERS = 1_000;
const LATENCY_MS = 150;
const JITTER_MS = 50;
const HEAP_SUBSCRIPTIONS = 100_000;

interface Setup {
  /** Subscriptions per customer in the timed estate. */
  perCustomer: number;
  /** The vendor's documented limit, for the note. */
  documented: string;
  /** The limit of the timed run (the look-alike enforces it; the client is configured with it). */
  limit: { requests: number; perMs: number; maxConcurrent: number };
  /** Page sizes the client asks for (null: the listing is not paged, one request). */
  customerPage: number | null;
  subscriptionPage: number | null;
  /** `native`: one account-wide subscription listing; `per-customer`: one listing per customer. */
  mode: 'native' | 'per-customer';
  /** One detail read per subscription (Ingram Micro). */
  details?: boolean;
  /**
   * Requests the vendor's API needs besides the listings, for this estate (one copied product or service):
   * Pax8 one commitment-rules read per distinct product (`/products/{id}/dependencies`); D&H one
   * `GetFieldsForService` per distinct service (which field is the quantity).
   */
  perDistinctProduct?: number;
  /** Requests the customer listing needs when it is not one paged listing (D&H: a walk of the reseller tree). */
  customerRequests?: number;
  /** Customers of the heap estate (its subscriptions are spread evenly over them). */
  heapCustomers: number;
  heapSubscriptions: number;
  /** Extra client options of the runs. */
  clientOptions?: Record<string, unknown>;
}

const SETUPS: Record<Vendor, Setup> = {
  pax8: {
    perCustomer: 2,
    documented: '1000/min, 10 at once (unscaled)',
    limit: { requests: 1000, perMs: 60_000, maxConcurrent: 10 },
    customerPage: 200,
    subscriptionPage: 200,
    mode: 'native',
    perDistinctProduct: 1,
    heapCustomers: 1_000,
    heapSubscriptions: HEAP_SUBSCRIPTIONS,
  },
  ingram: {
    perCustomer: 1,
    documented: '120/min, 5 at once (scaled x100 and x6)',
    limit: { requests: 200, perMs: 1_000, maxConcurrent: 30 },
    customerPage: 100,
    subscriptionPage: 100,
    mode: 'native',
    details: true,
    heapCustomers: 200,
    heapSubscriptions: 20_000,
    clientOptions: { detailConcurrency: 30 },
  },
  'td-synnex': {
    perCustomer: 2,
    documented: '60/min, 4 at once (scaled x20)',
    limit: { requests: 20, perMs: 1_000, maxConcurrent: 4 },
    customerPage: 100,
    subscriptionPage: 100,
    mode: 'native',
    heapCustomers: 1_000,
    heapSubscriptions: HEAP_SUBSCRIPTIONS,
  },
  sherweb: {
    perCustomer: 2,
    documented: '60/min, 4 at once (scaled x200 and x6)',
    limit: { requests: 200, perMs: 1_000, maxConcurrent: 24 },
    customerPage: null,
    subscriptionPage: null,
    mode: 'per-customer',
    heapCustomers: 1_000,
    heapSubscriptions: HEAP_SUBSCRIPTIONS,
  },
  dandh: {
    perCustomer: 2,
    documented: '120/min, 4 at once (scaled x100 and x6)',
    limit: { requests: 200, perMs: 1_000, maxConcurrent: 24 },
    customerPage: null,
    subscriptionPage: null,
    mode: 'per-customer',
    // GetResellers and GetCompanies for the reseller and its sub-reseller (the seeded tree).
    customerRequests: 4,
    perDistinctProduct: 1,
    heapCustomers: 1_000,
    heapSubscriptions: HEAP_SUBSCRIPTIONS,
  },
  'partner-center': {
    perCustomer: 2,
    documented: '500/min, 10 at once (scaled x24 and x2.4)',
    limit: { requests: 200, perMs: 1_000, maxConcurrent: 24 },
    customerPage: 100,
    subscriptionPage: null,
    mode: 'per-customer',
    heapCustomers: 1_000,
    heapSubscriptions: HEAP_SUBSCRIPTIONS,
  },
};

const FACTORIES: Record<Vendor, [entry: string, src: string, name: string]> = {
  pax8: ['pax8', 'providers/pax8/index.js', 'createPax8Client'],
  ingram: ['ingram', 'providers/ingram/index.js', 'createIngramClient'],
  sherweb: ['sherweb', 'providers/sherweb/index.js', 'createSherwebClient'],
  'td-synnex': ['td-synnex', 'providers/td-synnex/index.js', 'createTdSynnexClient'],
  dandh: ['dandh', 'providers/dandh/index.js', 'createDandhClient'],
  'partner-center': ['partner-center', 'providers/partner-center/index.js', 'createPartnerCenterClient'],
};

/** A client of `vendor` built from plain options (as the child process receives them). */
async function makeClient(vendor: Vendor, options: Record<string, unknown>): Promise<MarketplaceClient> {
  const [entry, src, name] = FACTORIES[vendor];
  const mod = await load<Record<string, (o: unknown) => MarketplaceClient>>(entry, src);
  return mod[name]!(options);
}

/** The minimum API requests of a sync of `customers` x `perCustomer` on `vendor`. */
function minimumRequests(s: Setup, customers: number, perCustomer: number): number {
  const pages = (items: number, size: number | null) => (size === null ? 1 : Math.max(1, Math.ceil(items / size)));
  const subscriptions = customers * perCustomer;
  const customerPages = s.customerRequests ?? pages(customers, s.customerPage);
  const subscriptionPages =
    s.mode === 'native' ? pages(subscriptions, s.subscriptionPage) : customers * pages(perCustomer, s.subscriptionPage);
  return customerPages + subscriptionPages + (s.details ? subscriptions : 0) + (s.perDistinctProduct ?? 0);
}

/** The longest chain of pages read one after the other (the customer listing, or the account-wide one). */
function longestChain(s: Setup, customers: number, perCustomer: number): number {
  const pages = (items: number, size: number | null) => (size === null ? 1 : Math.max(1, Math.ceil(items / size)));
  if (s.mode === 'native')
    return Math.max(pages(customers, s.customerPage), pages(customers * perCustomer, s.subscriptionPage));
  return pages(customers, s.customerPage) + pages(perCustomer, s.subscriptionPage);
}

/** A seeded estate on a look-alike (in a child process) and the client options pointing at it. */
async function estate(vendor: Vendor, customers: number, perCustomer: number, timed: boolean, seed: number) {
  const s = SETUPS[vendor];
  const server = await spawnEstate({
    vendor,
    customers,
    perCustomer,
    latencyMs: timed ? LATENCY_MS : 0,
    jitterMs: timed ? JITTER_MS : 0,
    seed,
    limit: timed ? { requests: s.limit.requests, perMs: s.limit.perMs } : undefined,
  });
  const clientOptions: Record<string, unknown> = {
    ...server.clientOptions,
    ...s.clientOptions,
    rateLimit: timed ? s.limit : { requests: 1_000_000, perMs: 1_000, maxConcurrent: s.limit.maxConcurrent },
  };
  return { grown: server.grown, server, clientOptions };
}

async function timedRun(vendor: Vendor, index: number): Promise<Figure[]> {
  const s = SETUPS[vendor];
  const { grown, server, clientOptions } = await estate(vendor, CUSTOMERS, s.perCustomer, true, 20_000 + index);
  try {
    const { Marketplaces, syncAll } = await load<typeof Workflows>('workflows', 'workflows/index.js');
    const client = await makeClient(vendor, clientOptions);
    const counts = { customer: 0, subscription: 0, error: 0 };
    let firstError = '';
    const started = performance.now();
    // BENCH_SYNC_CONCURRENCY lowers syncAll's concurrency (e.g. 1: one customer after the other) to see the cost.
    const forced = Number(process.env.BENCH_SYNC_CONCURRENCY ?? 0);
    for await (const r of syncAll(new Marketplaces([client]), forced > 0 ? { concurrency: forced } : {})) {
      counts[r.type]++;
      if (r.type === 'error' && !firstError) firstError = r.message;
    }
    const seconds = (performance.now() - started) / 1000;
    if (counts.customer !== grown.customers || counts.subscription !== grown.subscriptions || counts.error) {
      throw new Error(`${vendor}: syncAll gave ${JSON.stringify(counts)} for ${JSON.stringify(grown)} ${firstError}`);
    }
    const minimum = minimumRequests(s, CUSTOMERS, s.perCustomer);
    const stats = await server.stats();
    const requests = stats.api;
    const L = LATENCY_MS / 1000;
    const rate = s.limit.requests / (s.limit.perMs / 1000);
    const parts = {
      rate: minimum / rate,
      concurrency: (minimum * L) / s.limit.maxConcurrent,
      chain: longestChain(s, CUSTOMERS, s.perCustomer) * L,
    };
    const bound = L * stats.auth + Math.max(parts.rate, parts.concurrency, parts.chain);
    const paths = stats.byPath.map(([k, v]) => `${k} x${v}`).join(', ');
    const note =
      `${CUSTOMERS} customers, ${grown.subscriptions} subscriptions (${s.mode}); ${requests} API requests ` +
      `(minimum ${minimum}: ${paths}), ${stats.auth} auth; ${round(seconds, 2)} s vs bound ${round(bound, 2)} s ` +
      `(rate ${round(parts.rate, 2)}, concurrency ${round(parts.concurrency, 2)}, chain ${round(parts.chain, 2)} s); ` +
      `limit ${s.limit.requests}/${s.limit.perMs} ms, ${s.limit.maxConcurrent} at once (documented ${s.documented}); ` +
      `latency ${LATENCY_MS} ± ${JITTER_MS} ms; ${stats.limited} x 429`;
    const wall = figure(`sync-wall-vs-bound-${vendor}`, round(seconds / bound), 'ratio', ['<=', 1.1], note, {
      us: { wall: Math.round(seconds * 1e6), bound: Math.round(bound * 1e6) },
    });
    return [
      figure(`sync-requests-vs-minimum-${vendor}`, round(requests / minimum), 'ratio', ['==', 1], note),
      { ...wall, goal: '<= 1.1 with 0 x 429', holds: wall.holds === true && stats.limited === 0 },
    ];
  } finally {
    await server.close();
  }
}

interface HeapResult {
  customers: number;
  subscriptions: number;
  errors: number;
  baselineMb: number;
  peakGrowthMb: number;
  seconds: number;
}

async function heapRun(vendor: Vendor, index: number): Promise<Figure> {
  const s = SETUPS[vendor];
  const perCustomer = s.heapSubscriptions / s.heapCustomers;
  const { grown, server, clientOptions } = await estate(vendor, s.heapCustomers, perCustomer, false, 30_000 + index);
  try {
    const child = fork(fileURLToPath(import.meta.url), ['--heap-child', vendor, JSON.stringify(clientOptions)], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: process.env,
    });
    const result = await new Promise<HeapResult>((resolve, reject) => {
      child.once('message', (m: HeapResult) => resolve(m));
      child.once('exit', (code) => reject(new Error(`${vendor} heap child exited (${code})`)));
    });
    if (result.subscriptions !== grown.subscriptions || result.customers !== grown.customers || result.errors) {
      throw new Error(`${vendor}: heap run synced ${JSON.stringify(result)} of ${JSON.stringify(grown)}`);
    }
    const stats = await server.stats();
    const note = `${grown.customers} customers, ${grown.subscriptions} subscriptions synced in ${round(result.seconds, 1)} s (${stats.api} API requests); heap baseline ${round(result.baselineMb, 1)} MB`;
    return figure(`sync-heap-growth-mb-${vendor}`, round(result.peakGrowthMb, 1), 'MB', ['<', 50], note);
  } finally {
    await server.close();
  }
}

export async function run(): Promise<Figure[]> {
  const only = process.env.BENCH_SYNC_VENDORS?.split(',') as Vendor[] | undefined;
  const figures: Figure[] = [];
  for (const [i, vendor] of VENDORS.entries()) {
    if (only && !only.includes(vendor)) continue;
    figures.push(...(await timedRun(vendor, i)));
  }
  for (const [i, vendor] of VENDORS.entries()) {
    if (only && !only.includes(vendor)) continue;
    if (process.env.BENCH_SKIP_HEAP === '1') continue;
    figures.push(await heapRun(vendor, i));
  }
  return figures;
}

async function heapChild(vendor: Vendor, options: Record<string, unknown>): Promise<HeapResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const { Marketplaces, syncAll } = await load<typeof Workflows>('workflows', 'workflows/index.js');
  const client = await makeClient(vendor, options);
  const heap = () => {
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const baselineMb = heap();
  let peak = baselineMb;
  const counts = { customer: 0, subscription: 0, error: 0 };
  const started = performance.now();
  let n = 0;
  for await (const r of syncAll(new Marketplaces([client]))) {
    counts[r.type]++;
    if (++n % 5_000 === 0) peak = Math.max(peak, heap());
  }
  peak = Math.max(peak, heap());
  return {
    customers: counts.customer,
    subscriptions: counts.subscription,
    errors: counts.error,
    baselineMb,
    peakGrowthMb: peak - baselineMb,
    seconds: (performance.now() - started) / 1000,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--heap-child') {
  const result = await heapChild(process.argv[3] as Vendor, JSON.parse(process.argv[4]!) as Record<string, unknown>);
  process.send?.(result);
  process.disconnect?.();
}
