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
 *   `token + max(rate, concurrency, chain)` with `rate = (requests - 1) / rate limit + latency` (the last of the
 *   evenly spaced requests starts (n - 1) / rate after the first and answers one latency later),
 *   `concurrency = requests x latency / maxConcurrent` (per customer: `latency + (requests - 1) x latency /
 *   maxConcurrent`, as no listing can start before the first customer page has named the customers) and
 *   `chain = longest page chain x latency`. This is the issue's `max(requests / rate, requests x latency /
 *   concurrency)` with the three things its steady-state formula leaves out and no client can avoid. A page chain
 *   is a listing's pages read one after the other: each page's cursor comes from the one before (TD SYNNEX
 *   customers pageToken, Partner Center continuation, Ingram subscription list pages), except for numbered
 *   listings (the first answer gives the total, the SDK reads the other pages at once: Pax8, Ingram customers, TD
 *   SYNNEX subscriptions), whose chain is 2 pages (`Setup.numbered`). The look-alike answers after 150 ± 50 ms
 *   (seeded) under the vendor's documented limit with its count scaled so a run takes seconds and its window kept
 *   at the documented minute (the scale is in the note): a window scaled down to 1 s made the limiter's rule
 *   "request k starts a window after request k - N finished" (which keeps a vendor's rolling window safe whatever
 *   the network did) cost one round trip per second, 13%, where against the real per-minute window it costs 0.25%.
 *   TD SYNNEX is scaled x10, not more, so the run stays bound by the rate as the real one is (31 s at 60/min).
 *   Goal <= 1.10 with 0 x 429.
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
import { VENDORS, type Vendor, load, spawnEstate, summarizeTimeline } from './sync-estate.js';

// Development knobs (the figures are defined at their defaults): BENCH_SYNC_CUSTOMERS shrinks the estate, and
// BENCH_SYNC_TIME_SCALE=k stretches latency, jitter and the limit's window k times, so the client's and the
// look-alike's CPU (inflated on a loaded machine) weigh k times less and what is left is the sync's structure.
const TIME_SCALE = Number(process.env.BENCH_SYNC_TIME_SCALE ?? 1);
const CUSTOMERS = Number(process.env.BENCH_SYNC_CUSTOMERS ?? 1_000);
const LATENCY_MS = 150 * TIME_SCALE;
const JITTER_MS = 50 * TIME_SCALE;
/** The limit of a timed run, stretched by BENCH_SYNC_TIME_SCALE. */
const limitOf = (s: { limit: { requests: number; perMs: number; maxConcurrent: number } }) => ({
  ...s.limit,
  perMs: s.limit.perMs * TIME_SCALE,
});
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
  /**
   * Which listings are numbered (page number or offset, the total in the first answer: Pax8 `page`/`size`, Ingram
   * customers `offset`, TD SYNNEX subscriptions `pagination.offset`): page k does not need page k-1's answer, so
   * such a listing's physical chain is 2 pages (the first, then the rest at once). Elsewhere each page's cursor
   * comes from the page before (TD SYNNEX customers pageToken, Partner Center continuation; Ingram's subscription
   * list pages, read as a chain while their detail reads fill the slots).
   */
  numbered?: { customers?: boolean; subscriptions?: boolean };
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
    numbered: { customers: true, subscriptions: true },
    perDistinctProduct: 1,
    heapCustomers: 1_000,
    heapSubscriptions: HEAP_SUBSCRIPTIONS,
  },
  ingram: {
    perCustomer: 1,
    documented: '120/min, 5 at once (scaled x100 and x6)',
    limit: { requests: 12_000, perMs: 60_000, maxConcurrent: 30 },
    customerPage: 100,
    subscriptionPage: 100,
    mode: 'native',
    numbered: { customers: true },
    details: true,
    heapCustomers: 200,
    heapSubscriptions: 20_000,
    clientOptions: { detailConcurrency: 30 },
  },
  'td-synnex': {
    perCustomer: 2,
    documented: '60/min, 4 at once (scaled x10)',
    limit: { requests: 600, perMs: 60_000, maxConcurrent: 4 },
    customerPage: 100,
    subscriptionPage: 100,
    mode: 'native',
    numbered: { subscriptions: true },
    heapCustomers: 1_000,
    heapSubscriptions: HEAP_SUBSCRIPTIONS,
  },
  sherweb: {
    perCustomer: 2,
    documented: '60/min, 4 at once (scaled x200 and x6)',
    limit: { requests: 12_000, perMs: 60_000, maxConcurrent: 24 },
    customerPage: null,
    subscriptionPage: null,
    mode: 'per-customer',
    heapCustomers: 1_000,
    heapSubscriptions: HEAP_SUBSCRIPTIONS,
  },
  dandh: {
    perCustomer: 2,
    documented: '120/min, 4 at once (scaled x100 and x6)',
    limit: { requests: 12_000, perMs: 60_000, maxConcurrent: 24 },
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
    limit: { requests: 12_000, perMs: 60_000, maxConcurrent: 24 },
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

/**
 * The longest chain of pages read one after the other (the customer listing, or the account-wide one). A numbered
 * listing's chain is at most 2 (its first page, then every other page at once); a cursor listing's is its pages.
 */
function longestChain(s: Setup, customers: number, perCustomer: number): number {
  const pages = (items: number, size: number | null, numbered: boolean | undefined) => {
    const n = size === null ? 1 : Math.max(1, Math.ceil(items / size));
    return numbered ? Math.min(n, 2) : n;
  };
  const customerChain = pages(customers, s.customerPage, s.numbered?.customers);
  if (s.mode === 'native')
    return Math.max(customerChain, pages(customers * perCustomer, s.subscriptionPage, s.numbered?.subscriptions));
  return customerChain + pages(perCustomer, s.subscriptionPage, s.numbered?.subscriptions);
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
    limit: timed ? { requests: s.limit.requests, perMs: limitOf(s).perMs } : undefined,
  });
  const clientOptions: Record<string, unknown> = {
    ...server.clientOptions,
    ...s.clientOptions,
    rateLimit: timed ? limitOf(s) : { requests: 1_000_000, perMs: 1_000, maxConcurrent: s.limit.maxConcurrent },
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
    // BENCH_TIMELINE=1: the client's own view too (each attempt from sending to its body read), on stderr.
    // Off by default: observing events costs the client a scrub per event.
    const attempts: { arrived: number; handled: number; sent: number }[] = [];
    if (process.env.BENCH_TIMELINE === '1') {
      const open = new Map<string, number>();
      client.on('request', (e) => open.set(`${e.requestId}/${e.attempt}`, performance.timeOrigin + performance.now()));
      client.on('response', (e) => {
        const at = open.get(`${e.requestId}/${e.attempt}`);
        const t = performance.timeOrigin + performance.now();
        if (at !== undefined) attempts.push({ arrived: at, handled: at, sent: t });
      });
    }
    const cpu = process.cpuUsage();
    const startedAt = performance.timeOrigin + performance.now();
    const started = performance.now();
    // BENCH_SYNC_CONCURRENCY lowers syncAll's concurrency (e.g. 1: one customer after the other) to see the cost.
    const forced = Number(process.env.BENCH_SYNC_CONCURRENCY ?? 0);
    for await (const r of syncAll(new Marketplaces([client]), forced > 0 ? { concurrency: forced } : {})) {
      counts[r.type]++;
      if (r.type === 'error' && !firstError) firstError = r.message;
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    if (counts.customer !== grown.customers || counts.subscription !== grown.subscriptions || counts.error) {
      throw new Error(`${vendor}: syncAll gave ${JSON.stringify(counts)} for ${JSON.stringify(grown)} ${firstError}`);
    }
    const minimum = minimumRequests(s, CUSTOMERS, s.perCustomer);
    const stats = await server.stats();
    const requests = stats.api;
    const L = LATENCY_MS / 1000;
    const rate = s.limit.requests / (limitOf(s).perMs / 1000);
    const parts = {
      // The last of `minimum` evenly spaced requests starts (minimum - 1) / rate after the first and answers L later.
      rate: (minimum - 1) / rate + L,
      // Per customer, no listing can start before the first customer page has answered (it names the customers).
      concurrency:
        s.mode === 'per-customer'
          ? L + ((minimum - 1) * L) / s.limit.maxConcurrent
          : (minimum * L) / s.limit.maxConcurrent,
      chain: longestChain(s, CUSTOMERS, s.perCustomer) * L,
    };
    const bound = L * stats.auth + Math.max(parts.rate, parts.concurrency, parts.chain);
    const paths = stats.byPath.map(([k, v]) => `${k} x${v}`).join(', ');
    const note =
      `${CUSTOMERS} customers, ${grown.subscriptions} subscriptions (${s.mode}); ${requests} API requests ` +
      `(minimum ${minimum}: ${paths}), ${stats.auth} auth; ${round(seconds, 2)} s vs bound ${round(bound, 2)} s ` +
      `(rate ${round(parts.rate, 2)}, concurrency ${round(parts.concurrency, 2)}, chain ${round(parts.chain, 2)} s); ` +
      `limit ${s.limit.requests}/${limitOf(s).perMs} ms, ${s.limit.maxConcurrent} at once (documented ${s.documented}); ` +
      `latency ${LATENCY_MS} ± ${JITTER_MS} ms; ${stats.limited} x 429; ${timelineNote(stats.timeline, startedAt, s)}; ` +
      `client CPU ${round((used.user + used.system) / 1000 / requests, 2)} ms per API request`;
    if (process.env.BENCH_TIMELINE === '1') {
      const seen = summarizeTimeline(attempts);
      const look = stats.timeline;
      const fmt = (t: typeof look) =>
        t
          ? t.inFlight
              .map((v, n) => (v >= 0.005 ? `${n}:${Math.round(v * 100)}%` : ''))
              .filter(Boolean)
              .join(' ')
          : '-';
      console.error(`${vendor} look-alike in flight: ${fmt(look)}`);
      console.error(
        `${vendor} client in flight (sent..body read): ${fmt(seen)}; mean ${round(seen?.meanInFlight ?? 0, 1)}, ` +
          `mean attempt ${round(seen?.latencyMeanMs ?? 0, 1)} ms`,
      );
    }
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

/** Where the wall time went, from the look-alike's timeline (contention in this process does not change it). */
function timelineNote(
  t: Awaited<ReturnType<Awaited<ReturnType<typeof spawnEstate>>['stats']>>['timeline'],
  startedAt: number,
  s: Setup,
): string {
  if (!t) return 'no timeline';
  const full = t.inFlight.slice(s.limit.maxConcurrent).reduce((a, b) => a + b, 0);
  return (
    `first API request ${Math.round(t.firstArrival - startedAt)} ms after the start, last answer ${Math.round(t.lastSent - startedAt)} ms; ` +
    `look-alike: ${round(t.meanInFlight, 1)} requests in flight on average (${Math.round(full * 100)}% of the time at ${s.limit.maxConcurrent}), ` +
    `idle ${Math.round(t.idleMs)} ms, fake's own time ${round(t.handleMeanMs, 1)} ms mean (max ${round(t.handleMaxMs, 1)}), ` +
    `latency seen ${round(t.latencyMeanMs, 1)} ms mean`
  );
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
