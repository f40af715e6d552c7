/**
 * A minimal vendor look-alike on plain node:http, written for these tests (deliberately not the msw fakes):
 * each test gives a handler; every request is recorded (method, path, headers, body) so a test can assert
 * what reached which origin.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

export interface LookAlike {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `127.0.0.1:<port>` */
  host: string;
  seen: Seen[];
  handler: Handler;
  close(): Promise<void>;
}

export async function lookAlike(
  handler: Handler = (_q, res) => json(res, 404, { message: 'no route' }),
): Promise<LookAlike> {
  const state: LookAlike = {
    origin: '',
    host: '',
    seen: [],
    handler,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: Seen = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      state.seen.push(seen);
      Promise.resolve(state.handler(seen, res)).catch((e: unknown) => {
        if (!res.headersSent) json(res, 500, { message: String(e) });
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  state.origin = `http://127.0.0.1:${port}`;
  state.host = `127.0.0.1:${port}`;
  return state;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function redirect(res: ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location, 'content-length': '0' });
  res.end();
}

/** A unique suffix, so each test's credentials get their own token cache entry. */
export function unique(): string {
  return Math.random().toString(36).slice(2);
}
