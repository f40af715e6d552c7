/**
 * A tiny plain `node:http` server for vendor look-alikes written inside the money tests (deliberately not the
 * msw fakes of src/testing): each test answers like the vendor's docs allow, including the odd answers.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

/** A request as the look-alike saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

/** A running look-alike. */
export interface LookAlike {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Sends JSON (or nothing for `undefined`). */
export function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
}

/** Starts a look-alike on 127.0.0.1 with `handle` answering every request. */
export async function startLookAlike(handle: (req: SeenRequest, res: ServerResponse) => unknown): Promise<LookAlike> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const r: SeenRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
      };
      seen.push(r);
      Promise.resolve(handle(r, res)).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { message: String(error) });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
