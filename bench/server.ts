/**
 * A Pax8-shaped HTTP server on loopback for the benchmarks (node:http, port 0). It answers:
 * - `POST /v1/token`: a client-credentials token (optionally after `tokenDelayMs`);
 * - `GET /v1/subscriptions/{id}`: one monthly subscription without commitment;
 * - `GET /v1/subscriptions?page=&size=`: `total` subscriptions generated on the fly, at most 200 a page;
 * - `GET /v1/companies?page=&size=`: `customers` companies (subscription `i` then belongs to company `i % customers`);
 * - with `limit` set: every `/v1` request over `limit.requests` in any rolling `limit.perMs` window gets 429;
 * - with `revokeTokenAfter` set: the API request with that number (since the last reset) revokes the token in use;
 *   from then on the old token gets 401 (counted as `stale`) and the token endpoint issues a new one.
 * Control routes: `GET /__stats`, `POST /__reset`, `POST /__config` (JSON {@link ServerConfig}).
 *
 * Run alone (`tsx bench/server.ts`) it prints its port, or, forked with IPC, sends `{ port }` to its parent,
 * so the benchmark client and the server do not share one event loop.
 */
import { fork } from 'node:child_process';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CUSTOMER_ID, REF, sub as subscription } from './overhead-fixture.mjs';

/** What the server can be told through `POST /__config`. */
export interface ServerConfig {
  /** Subscriptions in the listing. */
  total?: number;
  /** Companies in `GET /v1/companies`; with it set, subscription `i` belongs to company `i % customers`. */
  customers?: number;
  /** Rolling-window limit enforced on every `/v1` request (`null` turns it off). */
  limit?: { requests: number; perMs: number } | null;
  /** Delay before answering a token request, so concurrent cold calls really overlap. */
  tokenDelayMs?: number;
  /** Revoke the current token at this API request (since the last reset); `null` never revokes. */
  revokeTokenAfter?: number | null;
}

/** Counters since the last reset. */
export interface ServerStats {
  token: number;
  get: number;
  list: number;
  /** `GET /v1/companies` requests. */
  companies: number;
  /** Requests answered 429 by the limit. */
  limited: number;
  /** Requests answered 2xx. */
  ok: number;
  /** TCP connections accepted (keep-alive should keep this near the client's concurrency). */
  connections: number;
  /** API requests answered 401 because they carried a revoked token. */
  stale: number;
}

export const MAX_PAGE_SIZE = 200;
/** The id and customer id of the subscription `GET /v1/subscriptions/{id}` answers. */
export const SUBSCRIPTION_REF = REF;

/** The JSON body `GET /v1/subscriptions/{id}` answers (also used by the in-memory fetch of bench/overhead.ts). */
export function subscriptionBody(): string {
  return JSON.stringify(subscription(SUBSCRIPTION_REF.subscriptionId));
}

function companyId(n: number): string {
  return `c0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function listId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Starts the server; resolves with its port and a close function. */
export async function startServer(initial: ServerConfig = {}): Promise<{ port: number; close: () => Promise<void> }> {
  const config: Required<ServerConfig> = {
    total: 0,
    customers: 0,
    limit: null,
    tokenDelayMs: 0,
    revokeTokenAfter: null,
    ...initial,
  };
  const stats: ServerStats = { token: 0, get: 0, list: 0, companies: 0, limited: 0, ok: 0, connections: 0, stale: 0 };
  // Token generation: `bench-token-<n>`; once a token is revoked only the newest generation is accepted.
  let generation = 0;
  let revoked = false;
  let apiRequests = 0;
  // Arrival times of accepted requests in the current window (rolling-window log).
  let window: number[] = [];
  const getBody = subscriptionBody();

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  };
  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        text += chunk;
      });
      req.on('end', () => resolve(text));
      req.on('error', reject);
    });

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path === '/__stats') return send(res, 200, JSON.stringify(stats));
    if (path === '/__reset') {
      await readBody(req);
      stats.token = stats.get = stats.list = stats.companies = stats.limited = stats.ok = stats.connections = 0;
      stats.stale = 0;
      generation = apiRequests = 0;
      revoked = false;
      window = [];
      return send(res, 200, '{}');
    }
    if (path === '/__config') {
      Object.assign(config, JSON.parse((await readBody(req)) || '{}') as ServerConfig);
      window = [];
      return send(res, 200, JSON.stringify(config));
    }
    if (config.limit) {
      const now = performance.now();
      const from = now - config.limit.perMs;
      let drop = 0;
      while (drop < window.length && window[drop]! <= from) drop++;
      if (drop > 0) window = window.slice(drop);
      if (window.length >= config.limit.requests) {
        stats.limited++;
        await readBody(req);
        const retryAfter = Math.max(1, Math.ceil((window[0]! + config.limit.perMs - now) / 1000));
        return send(res, 429, JSON.stringify({ status: 429, message: 'Too Many Requests' }), {
          'retry-after': String(retryAfter),
        });
      }
      window.push(now);
    }
    if (req.method === 'POST' && path === '/v1/token') {
      await readBody(req);
      stats.token++;
      if (config.tokenDelayMs > 0) await new Promise((r) => setTimeout(r, config.tokenDelayMs));
      stats.ok++;
      const token = `bench-token-${generation}`;
      return send(res, 200, JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 86400 }));
    }
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      return send(res, 401, JSON.stringify({ status: 401, message: 'Unauthorized' }));
    }
    apiRequests++;
    if (config.revokeTokenAfter !== null && apiRequests === config.revokeTokenAfter) {
      // An admin action or password reset: the token in use dies, the next token request gets a new one.
      generation++;
      revoked = true;
    }
    if (revoked && req.headers.authorization !== `Bearer bench-token-${generation}`) {
      stats.stale++;
      return send(res, 401, JSON.stringify({ status: 401, message: 'token revoked' }));
    }
    if (req.method === 'GET' && path === '/v1/subscriptions') {
      stats.list++;
      stats.ok++;
      const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(url.searchParams.get('size') ?? 10)));
      const page = Math.max(0, Number(url.searchParams.get('page') ?? 0));
      const total = config.total;
      const content: unknown[] = [];
      const owner = (i: number) => (config.customers > 0 ? companyId(i % config.customers) : CUSTOMER_ID);
      for (let i = page * size; i < Math.min(total, (page + 1) * size); i++) {
        content.push(subscription(listId(i), owner(i)));
      }
      const body = { content, page: { size, totalElements: total, totalPages: Math.ceil(total / size), number: page } };
      return send(res, 200, JSON.stringify(body));
    }
    if (req.method === 'GET' && path === '/v1/companies') {
      stats.companies++;
      stats.ok++;
      const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(url.searchParams.get('size') ?? 10)));
      const page = Math.max(0, Number(url.searchParams.get('page') ?? 0));
      const total = config.customers;
      const content: unknown[] = [];
      for (let i = page * size; i < Math.min(total, (page + 1) * size); i++) {
        content.push({ id: companyId(i), name: `Company ${i}`, status: 'Active' });
      }
      const body = { content, page: { size, totalElements: total, totalPages: Math.ceil(total / size), number: page } };
      return send(res, 200, JSON.stringify(body));
    }
    if (req.method === 'GET' && path.startsWith('/v1/subscriptions/')) {
      stats.get++;
      stats.ok++;
      return send(res, 200, getBody);
    }
    return send(res, 404, JSON.stringify({ status: 404, message: 'Not Found' }));
  });
  server.on('connection', () => {
    stats.connections++;
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A server in a child process, controlled over HTTP. */
export interface RemoteServer {
  port: number;
  /** `http://127.0.0.1:<port>/v1` */
  baseUrl: string;
  configure(config: ServerConfig): Promise<void>;
  reset(): Promise<void>;
  stats(): Promise<ServerStats>;
  close(): Promise<void>;
}

/**
 * Forks `bench/server.ts` (through tsx) and waits for its port. With `busyPoll`, the server's event loop never
 * sleeps (a perpetual `setImmediate`), so its CPU is never idle when a request arrives: on a virtual machine an
 * idle vCPU can take tens of microseconds to wake, and how long the server sat idle depends on how much the
 * client did between requests, which would charge the client for the server's wake-up (docs/performance.md).
 */
export async function spawnServer(
  config: ServerConfig = {},
  options: { busyPoll?: boolean } = {},
): Promise<RemoteServer> {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_BUSY_POLL: options.busyPoll ? '1' : '0' },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(origin + path, { method: 'POST', body: JSON.stringify(body) });
    await res.text();
  };
  const remote: RemoteServer = {
    port,
    baseUrl: `${origin}/v1`,
    configure: (c) => post('/__config', c),
    reset: () => post('/__reset', {}),
    stats: async () => (await (await fetch(`${origin}/__stats`)).json()) as ServerStats,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
  await remote.configure(config);
  return remote;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.env.BENCH_BUSY_POLL === '1') {
    // Busy polling: with an immediate always pending, libuv polls for I/O without blocking.
    const spin = () => setImmediate(spin);
    spin();
  }
  const { port } = await startServer();
  if (process.send) process.send({ port });
  else console.log(`bench server on http://127.0.0.1:${port}/v1`);
}
