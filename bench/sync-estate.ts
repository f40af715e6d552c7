/**
 * The seeded vendor look-alikes of the estate figures (bench/sync-vendors.ts): the stateful fakes of
 * `msp-marketplace-sdk/testing`, grown to an estate of `customers` x `perCustomer` subscriptions, served on
 * loopback by a plain node:http server that answers with the latency of a real vendor (a seeded `latencyMs ± jitterMs`
 * per answer, counted from the request's arrival, the fake's own work included) and enforces the vendor's rate limit (429 past `limit.requests` in any rolling `limit.perMs`).
 *
 * The server maps `http://127.0.0.1:<port>/__o/<host>/<path>` to `https://<host>/<path>` (paths without the prefix
 * go to the vendor's API host) and answers with the fake's msw handlers (`getResponse`), so every vendor's real
 * protocol (auth, paging, shapes) is exercised, not a Pax8 stand-in.
 */
import { fork } from 'node:child_process';
import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HttpHandler, getResponse } from 'msw';
import { fileURLToPath } from 'node:url';
import type * as Testing from '../src/testing/index.js';

/** The six marketplaces, by SDK provider id. */
export const VENDORS = ['pax8', 'ingram', 'sherweb', 'td-synnex', 'dandh', 'partner-center'] as const;
export type Vendor = (typeof VENDORS)[number];

/** `BENCH_FROM_SRC=1` loads src/ through tsx (while developing, without a build); otherwise dist/, as users run it. */
export async function load<T>(entry: string, src: string): Promise<T> {
  const path = process.env.BENCH_FROM_SRC === '1' ? `../src/${src}` : `../dist/${entry}.js`;
  return (await import(new URL(path, import.meta.url).href)) as T;
}

type AnyMap = Map<string | number, unknown>;

/** Where each fake keeps its customers and subscriptions, and how a subscription names its customer. */
function stores(mock: Testing.MockMarketplace, vendor: Vendor) {
  switch (vendor) {
    case 'pax8':
      return {
        customers: mock.pax8.state.companies as AnyMap,
        subscriptions: mock.pax8.state.subscriptions as AnyMap,
        customerOf: (s: unknown) => (s as { companyId: string }).companyId,
      };
    case 'sherweb':
      return {
        customers: mock.sherweb.state.customers as AnyMap,
        subscriptions: mock.sherweb.state.subscriptions as AnyMap,
        customerOf: (s: unknown) => (s as { customerId: string }).customerId,
      };
    case 'ingram':
      return {
        customers: mock.ingram.state.customers as AnyMap,
        subscriptions: mock.ingram.state.subscriptions as AnyMap,
        customerOf: (s: unknown) => (s as { subscription: { customerId: string } }).subscription.customerId,
      };
    case 'td-synnex':
      return {
        customers: mock.tdSynnex.state.customers as AnyMap,
        subscriptions: mock.tdSynnex.state.subscriptions as AnyMap,
        customerOf: (s: unknown) => (s as { customerId: string }).customerId,
      };
    case 'dandh':
      return {
        customers: mock.dandh.state.accounts as AnyMap,
        subscriptions: mock.dandh.state.subscriptions as AnyMap,
        customerOf: (s: unknown) => (s as { CompanyAccountId: number }).CompanyAccountId,
        keepCustomer: (c: unknown) => (c as { AccountType: string }).AccountType === 'Reseller',
        // A subscription that depends on another (the tenant) would need that one cloned with it.
        usable: (s: unknown) => (s as { DependencyAccountId: number | null }).DependencyAccountId === null,
      };
    case 'partner-center':
      return {
        customers: mock.partnerCenter.state.customers as AnyMap,
        subscriptions: mock.partnerCenter.state.subscriptions as AnyMap,
        customerOf: (s: unknown) => (s as { customerId: string }).customerId,
      };
  }
}

/** A new id shaped like `template` (numeric or UUID-like), numbered `n` within `space`. */
function newId(template: string | number, space: number, n: number): string | number {
  if (typeof template === 'number') return space * 10_000_000 + n;
  if (/^\d+$/.test(template)) return String(space * 10_000_000 + n);
  const hex = `${space.toString(16)}${n.toString(16).padStart(11, '0')}`;
  if (/^[0-9a-f-]{36}$/i.test(template)) return `${template.slice(0, 24)}${hex}`;
  return `${template}-${space}-${n}`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A deep copy of `value` (Dates, Maps and Sets kept) with every occurrence of each old id replaced by its new id. */
function remap<T>(value: T, ids: Map<string | number, string | number>): T {
  const byText = new Map([...ids].map(([k, v]) => [String(k), String(v)]));
  const pattern = new RegExp(
    `(?<![0-9A-Za-z-])(${[...byText.keys()].map(escapeRegExp).join('|')})(?![0-9A-Za-z-])`,
    'g',
  );
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, (m) => byText.get(m) ?? m);
    if (typeof v === 'number') {
      const to = ids.get(v);
      return typeof to === 'number' ? to : v;
    }
    if (v instanceof Date) return new Date(v.getTime());
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [walk(k), walk(x)]));
    if (v instanceof Set) return new Set([...v].map(walk));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * Replaces the fake's customers and subscriptions with `customers` copies of one seeded customer, each with
 * `perCustomer` copies of one of its subscriptions (ids renumbered, everything else as seeded).
 */
export function growEstate(
  mock: Testing.MockMarketplace,
  vendor: Vendor,
  customers: number,
  perCustomer: number,
): { customers: number; subscriptions: number } {
  const s = stores(mock, vendor);
  const usable: (sub: unknown) => boolean = ('usable' in s && s.usable) || (() => true);
  const keep: (customer: unknown) => boolean = ('keepCustomer' in s && s.keepCustomer) || (() => false);
  let template: { key: string | number; customer: unknown; subKey: string | number; sub: unknown } | undefined;
  for (const [subKey, sub] of s.subscriptions) {
    const key = s.customerOf(sub);
    const customer = s.customers.get(key);
    if (customer && usable(sub) && !keep(customer)) {
      template = { key, customer, subKey, sub };
      break;
    }
  }
  if (!template) throw new Error(`${vendor}: no seeded customer with a subscription to copy`);
  for (const [k, c] of [...s.customers]) if (!keep(c)) s.customers.delete(k);
  s.subscriptions.clear();
  let n = 0;
  for (let i = 0; i < customers; i++) {
    const customerKey = newId(template.key, 7, i);
    s.customers.set(customerKey, remap(template.customer, new Map([[template.key, customerKey]])));
    for (let j = 0; j < perCustomer; j++) {
      const subKey = newId(template.subKey, 8, n++);
      const ids = new Map<string | number, string | number>([
        [template.key, customerKey],
        [template.subKey, subKey],
      ]);
      s.subscriptions.set(subKey, remap(template.sub, ids));
    }
  }
  return { customers, subscriptions: n };
}

/** Options of {@link serveLookAlike}. */
export interface LookAlikeOptions {
  handlers: HttpHandler[];
  /** The host requests without the `/__o/<host>` prefix go to. */
  apiHost: string;
  latencyMs: number;
  jitterMs: number;
  /** Seeds the latency draws (a run is reproducible). */
  seed: number;
  limit?: { requests: number; perMs: number } | undefined;
}

/** What the look-alike saw. */
export interface LookAlikeStats {
  /** API requests answered (not the auth ones). */
  api: number;
  /** Token / session requests. */
  auth: number;
  /** Requests answered 429. */
  limited: number;
  /** API requests by path with ids replaced by `{id}`, for the notes. */
  byPath: Map<string, number>;
  /**
   * When each API request arrived, was answered by the fake (`handled`) and was sent back (`sent`), in epoch ms
   * (`performance.timeOrigin + performance.now()`, comparable across processes): the in-flight timeline of
   * {@link summarizeTimeline}.
   */
  timeline: { arrived: number; handled: number; sent: number }[];
}

/** What the look-alike's timeline says about a run (see {@link summarizeTimeline}). */
export interface TimelineSummary {
  /** Epoch ms of the first API request's arrival and of the last API answer sent. */
  firstArrival: number;
  lastSent: number;
  /** Share of the time between them with n API requests in flight (index n; the last index: n or more). */
  inFlight: number[];
  /** Time-weighted mean of requests in flight. */
  meanInFlight: number;
  /** Mean and largest time the fake took to build an answer before the latency started (ms). */
  handleMeanMs: number;
  handleMaxMs: number;
  /** Mean time from arrival to the answer sent, i.e. the latency the client saw from the look-alike (ms). */
  latencyMeanMs: number;
  /** Time with no API request in flight between the first arrival and the last answer (ms). */
  idleMs: number;
}

/** Summarizes a look-alike timeline: requests in flight over time, the fake's own time, idle gaps. */
export function summarizeTimeline(timeline: LookAlikeStats['timeline'], buckets = 32): TimelineSummary | undefined {
  if (timeline.length === 0) return undefined;
  const events: [number, number][] = [];
  for (const r of timeline) events.push([r.arrived, 1], [r.sent, -1]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const share = new Array<number>(buckets + 1).fill(0);
  let level = 0;
  let at = events[0]![0];
  let weighted = 0;
  for (const [t, d] of events) {
    share[Math.min(level, buckets)]! += t - at;
    weighted += level * (t - at);
    at = t;
    level += d;
  }
  const first = events[0]![0];
  const span = Math.max(1e-9, at - first);
  const handle = timeline.map((r) => r.handled - r.arrived);
  return {
    firstArrival: first,
    lastSent: at,
    inFlight: share.map((v) => v / span),
    meanInFlight: weighted / span,
    handleMeanMs: handle.reduce((a, b) => a + b, 0) / handle.length,
    handleMaxMs: Math.max(...handle),
    latencyMeanMs: timeline.reduce((a, r) => a + r.sent - r.arrived, 0) / timeline.length,
    idleMs: share[0]!,
  };
}

const AUTH_PATH = /token|oauth|GetSessionToken|login/i;

/** Serves the fake's handlers on loopback with latency and a rate limit; resolves with its origin. */
export async function serveLookAlike(o: LookAlikeOptions): Promise<{
  origin: string;
  stats: LookAlikeStats;
  rewrite: (url: string) => string;
  close: () => Promise<void>;
}> {
  const stats: LookAlikeStats = { api: 0, auth: 0, limited: 0, byPath: new Map(), timeline: [] };
  const epoch = () => performance.timeOrigin + performance.now();
  let state = o.seed >>> 0 || 1;
  const random = () => {
    // xorshift32: cheap and seeded.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  let window: number[] = [];
  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  const server = createServer(async (req, res) => {
    const arrived = epoch();
    const body = await readBody(req);
    const raw = req.url ?? '/';
    const m = /^\/__o\/([^/]+)(\/.*)?$/.exec(raw);
    const target = m ? `https://${m[1]}${m[2] ?? '/'}` : `https://${o.apiHost}${raw}`;
    const auth = AUTH_PATH.test(new URL(target).pathname);
    if (process.env.BENCH_TRACE) console.error(`${Math.round(performance.now())} ${req.method} ${raw.slice(0, 90)}`);
    const delay = Math.max(0, o.latencyMs + (random() * 2 - 1) * o.jitterMs);
    if (o.limit && !auth) {
      const now = performance.now();
      window = window.filter((t) => t > now - o.limit!.perMs);
      if (window.length >= o.limit.requests) {
        stats.limited += 1;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ status: 429, message: 'Too Many Requests' }));
        return;
      }
      window.push(now);
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    headers.delete('host');
    const request = new Request(target, {
      method: req.method ?? 'GET',
      headers,
      ...(body.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? { body: new Uint8Array(body) } : {}),
    });
    const answer =
      (await getResponse(o.handlers, request)) ?? new Response('{"message":"no handler"}', { status: 404 });
    const payload = Buffer.from(await answer.arrayBuffer());
    const handled = epoch();
    const entry = { arrived, handled, sent: 0 };
    if (auth) stats.auth += 1;
    else {
      stats.api += 1;
      stats.timeline.push(entry);
      const key = `${req.method} ${new URL(target).pathname.replace(/\/[0-9a-f-]{6,}(?=\/|$)/gi, '/{id}')}`;
      stats.byPath.set(key, (stats.byPath.get(key) ?? 0) + 1);
    }
    // The latency counts from the request's arrival: the vendor's answer time includes its own work, so the fake's
    // time to build the answer (longer when this machine is busy) is part of it, not added to it.
    setTimeout(
      () => {
        const out: Record<string, string> = {};
        answer.headers.forEach((v, k) => {
          if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding') out[k] = v;
        });
        res.writeHead(answer.status, { ...out, 'content-length': String(payload.length) });
        res.end(payload);
        entry.sent = epoch();
      },
      Math.max(0, arrived + delay - epoch()),
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    stats,
    rewrite: (url: string) => {
      const u = new URL(url);
      return `${origin}/__o/${u.host}${u.pathname === '/' ? '' : u.pathname}${u.search}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What {@link spawnEstate} is asked for. */
export interface EstateRequest {
  vendor: Vendor;
  customers: number;
  perCustomer: number;
  latencyMs: number;
  jitterMs: number;
  seed: number;
  limit?: { requests: number; perMs: number } | undefined;
}

/** A seeded estate served by a child process (so the look-alike's work does not share the client's event loop). */
export interface RemoteEstate {
  grown: { customers: number; subscriptions: number };
  /** The fake's client options (credentials, ids), with its URLs pointing at the look-alike. */
  clientOptions: Record<string, unknown>;
  stats(): Promise<{
    api: number;
    auth: number;
    limited: number;
    byPath: [string, number][];
    timeline: TimelineSummary | undefined;
  }>;
  close(): Promise<void>;
}

/** Forks this file to grow `request`'s estate and serve it; resolves once it listens. */
export async function spawnEstate(request: EstateRequest): Promise<RemoteEstate> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', JSON.stringify(request)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: process.env,
  });
  type Ready = { type: 'ready'; grown: RemoteEstate['grown']; clientOptions: Record<string, unknown> };
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m: Ready) => resolve(m));
    child.once('exit', (code) => reject(new Error(`${request.vendor} look-alike exited (${code})`)));
  });
  return {
    grown: ready.grown,
    clientOptions: ready.clientOptions,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (m: { type: 'stats' } & Awaited<ReturnType<RemoteEstate['stats']>>) => resolve(m));
        child.send({ type: 'stats' });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

async function serveChild(request: EstateRequest): Promise<void> {
  const testing = await load<typeof Testing>('testing', 'testing/index.js');
  const mock = testing.createMockMarketplace();
  const grown = growEstate(mock, request.vendor, request.customers, request.perCustomer);
  const options = mock.clientOptions(request.vendor) as unknown as Record<string, unknown> & {
    baseUrl: string;
    tokenUrl?: string;
  };
  // Only this vendor's handlers: msw tries handlers in order, and every fake's would cost CPU per request.
  const fakes = {
    pax8: mock.pax8,
    ingram: mock.ingram,
    sherweb: mock.sherweb,
    'td-synnex': mock.tdSynnex,
    dandh: mock.dandh,
    'partner-center': mock.partnerCenter,
  } as const;
  const server = await serveLookAlike({
    handlers: fakes[request.vendor].handlers,
    apiHost: new URL(options.baseUrl).host,
    latencyMs: request.latencyMs,
    jitterMs: request.jitterMs,
    seed: request.seed,
    limit: request.limit,
  });
  const clientOptions = {
    ...options,
    baseUrl: server.rewrite(options.baseUrl),
    ...(options.tokenUrl ? { tokenUrl: server.rewrite(options.tokenUrl) } : {}),
  };
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      const { api, auth, limited, byPath, timeline } = server.stats;
      const summary = summarizeTimeline(timeline);
      process.send?.({ type: 'stats', api, auth, limited, byPath: [...byPath], timeline: summary });
    }
  });
  process.send?.({ type: 'ready', grown, clientOptions });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--serve') {
  await serveChild(JSON.parse(process.argv[3]!) as EstateRequest);
}
