/**
 * A small Pax8 look-alike on plain node:http (not the msw fake): OAuth token at `/token`, `/companies` and
 * `/subscriptions` pages in Pax8's `{content, page}` shape. With `hangSubscriptions`, a subscriptions page other
 * than verifyConnection's count (`size=1`) is never answered: a sync is then reliably in progress, for as long as a
 * test needs to interrupt it.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running look-alike. */
export interface Pax8LookAlike {
  baseUrl: string;
  /** Resolves once a subscriptions request is being held (with `hangSubscriptions`). */
  hanging: Promise<void>;
  /** Every client secret sent to `/token` (to check what the CLI sent). */
  secretsSeen: string[];
  close(): Promise<void>;
}

const TOKEN = 'lookalike-access-token-0001';

function page(res: ServerResponse, items: unknown[], number: number, size: number): void {
  const content = items.slice(number * size, number * size + size);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      content,
      page: { size, totalElements: items.length, totalPages: Math.ceil(items.length / size), number },
    }),
  );
}

/** Starts the look-alike on 127.0.0.1 with `companies` companies. */
export async function startPax8LookAlike(options: { companies?: number; hangSubscriptions?: boolean } = {}) {
  const companies = Array.from({ length: options.companies ?? 3 }, (_, i) => ({
    id: `7b1f2d34-5c6e-4f80-9a1b-${String(i).padStart(12, '0')}`,
    name: `Look-alike Company ${i}`,
    status: 'Active',
  }));
  const held: ServerResponse[] = [];
  let signalHang: () => void = () => {};
  const hanging = new Promise<void>((r) => {
    signalHang = r;
  });
  const secretsSeen: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.method === 'POST' && url.pathname.endsWith('/token')) {
        try {
          secretsSeen.push(String((JSON.parse(body) as { client_secret?: string }).client_secret));
        } catch {
          secretsSeen.push(body);
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: TOKEN, expires_in: 3600, token_type: 'Bearer' }));
        return;
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 401, message: 'Unauthorized' }));
        return;
      }
      const number = Number(url.searchParams.get('page') ?? 0);
      const size = Number(url.searchParams.get('size') ?? 10);
      if (url.pathname.endsWith('/companies')) return page(res, companies, number, size);
      if (url.pathname.endsWith('/subscriptions')) {
        if (options.hangSubscriptions && size !== 1) {
          held.push(res);
          signalHang();
          return;
        }
        return page(res, [], number, size);
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 404, message: 'Not found' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const lookalike: Pax8LookAlike = {
    baseUrl: `http://127.0.0.1:${port}`,
    hanging,
    secretsSeen,
    close: () =>
      new Promise<void>((r) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return lookalike;
}
