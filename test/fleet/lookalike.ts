/**
 * A Pax8-shaped vendor for the fleet tests and bench, on node:http: every account has its own path
 * (`/a/<account>/v1`), token and estate (`customers` companies with `perCustomer` subscriptions each, ids
 * carrying the account's number), each answer after `latencyMs`. It counts API requests per account.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FleetLookAlike {
  origin: string;
  /** API requests answered, per account. */
  requests: Map<string, number>;
  /**
   * Every API request (token requests included, `path` '/token'): arrival and answer times (`performance.now()`),
   * and the latency drawn for it (`delayMs`: what it waited on purpose; 0 for token and refused requests).
   */
  log: { account: string; path: string; arrived: number; answered: number; delayMs: number }[];
  close(): Promise<void>;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function companyId(account: number, i: number): string {
  return `c0000000-${hex(account, 4)}-4000-8000-${hex(i, 12)}`;
}

export async function startFleetLookAlike(o: {
  customers: number;
  perCustomer: number;
  latencyMs: number;
  jitterMs?: number;
}): Promise<FleetLookAlike> {
  const requests = new Map<string, number>();
  const log: FleetLookAlike['log'] = [];
  // Cheap per request (it shares the bench machine's cores with the workers it answers): the path and query read
  // without `new URL`, one write per answer (a content-length, so no chunked encoding to frame and parse).
  const server: Server = createServer((req, res) => {
    req.resume();
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q === -1 ? raw : raw.slice(0, q);
    const m = /^\/a\/([^/]+)\/v1(\/.*)$/.exec(pathname);
    const account = m?.[1];
    const arrived = performance.now();
    let delayMs = 0;
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      if (account !== undefined) log.push({ account, path: m![2]!, arrived, answered: performance.now(), delayMs });
      res.end(text);
    };
    if (!m || account === undefined) return send(404, { message: 'Not Found' });
    const accountNo = Number.parseInt(account.replace(/\D/g, '') || '0', 10);
    const path = m[2]!;
    if (req.method === 'POST' && path === '/token') {
      return send(200, { access_token: `tok-${account}`, token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.headers.authorization !== `Bearer tok-${account}`) return send(401, { message: 'Unauthorized' });
    requests.set(account, (requests.get(account) ?? 0) + 1);
    const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
    const page = Number(query.get('page') ?? 0);
    const size = Math.min(200, Number(query.get('size') ?? 10));
    delayMs = o.latencyMs + (o.jitterMs ? (Math.random() * 2 - 1) * o.jitterMs : 0);
    setTimeout(() => {
      if (path === '/companies') {
        const content = [];
        for (let i = page * size; i < Math.min(o.customers, (page + 1) * size); i++) {
          content.push({ id: companyId(accountNo, i), name: `Company ${account} ${i}`, status: 'Active' });
        }
        const totalPages = Math.ceil(o.customers / size);
        return send(200, { content, page: { size, totalElements: o.customers, totalPages, number: page } });
      }
      if (path === '/subscriptions') {
        const company = query.get('companyId') ?? '';
        const i = Number.parseInt(company.slice(-12), 16);
        const content = [];
        for (let j = page * size; j < Math.min(o.perCustomer, (page + 1) * size); j++) {
          content.push({
            id: `5${hex(accountNo, 7)}-${hex(j, 4)}-4000-8000-${hex(i, 12)}`,
            companyId: company,
            productId: '7a3e9b10-0000-4000-8000-000000000002',
            productName: 'Microsoft 365 Business Premium',
            quantity: j + 1,
            startDate: '2024-01-15T00:00:00Z',
            createdDate: '2024-01-15T10:22:31.153-0700',
            status: 'Active',
            price: 22,
            currencyCode: 'USD',
            billingTerm: 'Monthly',
            commitmentTerm: null,
          });
        }
        const totalPages = Math.max(1, Math.ceil(o.perCustomer / size));
        return send(200, { content, page: { size, totalElements: o.perCustomer, totalPages, number: page } });
      }
      send(404, { message: 'Not Found' });
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
