/**
 * A minimal vendor look-alike for the tolerance tests: plain node:http on 127.0.0.1, one handler, every request
 * recorded (method + path), so a test can count what was sent. Deliberately not the msw fakes of src/testing.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the look-alike saw it. */
export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A running look-alike. */
export interface Vendor {
  url: string;
  seen: Seen[];
  /** Requests that are not reads (anything but GET) and not the token call. */
  writes(): Seen[];
  close(): Promise<void>;
}

/** Answers JSON. */
export function reply(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts a look-alike on a free loopback port. */
export async function startVendor(handler: (req: Seen, res: ServerResponse) => void | Promise<void>): Promise<Vendor> {
  const seen: Seen[] = [];
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
      const req: Seen = {
        method: raw.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: raw.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(req);
      Promise.resolve(handler(req, res)).catch(() => reply(res, 500, { message: 'look-alike failed' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    writes: () => seen.filter((r) => r.method !== 'GET' && !/token$/.test(r.path)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
