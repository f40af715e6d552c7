/**
 * The one skeleton for vendor look-alikes in tests: a plain `node:http` server (deliberately not the msw fakes of
 * src/testing) on 127.0.0.1 and a free port, that reads each request whole, logs it (with its body), and hands it
 * to a handler or a route table. Tests write the vendor's behaviour (from its docs) in the handler; this file only
 * does the plumbing: listening, logging, JSON answers, losing an answer, closing.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** A request as the look-alike saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The body as text ('' when none). */
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

/** Answers one request. `raw` is node's request (its socket, for losing an answer). */
export type LookAlikeHandler = (req: SeenRequest, res: ServerResponse, raw: IncomingMessage) => unknown;

/** One entry of a route table: the first whose method and path match answers. */
export interface LookAlikeRoute {
  /** HTTP method (any when omitted). */
  method?: string;
  /** The exact path, or a pattern tested against it (its groups are passed as `match`). */
  path: string | RegExp;
  handle: (req: SeenRequest, res: ServerResponse, match: RegExpExecArray | null, raw: IncomingMessage) => unknown;
}

/** A running look-alike. */
export interface LookAlikeServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** Every request received, in order, with its body. */
  seen: SeenRequest[];
  /** The node server, for tests that need it. */
  server: Server;
  close(): Promise<void>;
}

/** Sends JSON (a string is sent as is; `undefined` sends no body). */
export function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    })
    .end(text);
}

/** Loses the answer: the connection is destroyed without a response (after the look-alike applied the request). */
export function loseAnswer(res: ServerResponse): void {
  res.socket?.destroy();
}

/** A route table as a handler; unmatched requests get 404 `{ message: 'Not found' }`. */
export function routes(table: LookAlikeRoute[]): LookAlikeHandler {
  return (req, res, raw) => {
    for (const r of table) {
      if (r.method && r.method !== req.method) continue;
      if (typeof r.path === 'string') {
        if (r.path === req.path) return r.handle(req, res, null, raw);
        continue;
      }
      const match = r.path.exec(req.path);
      if (match) return r.handle(req, res, match, raw);
    }
    return send(res, 404, { message: 'Not found' });
  };
}

function seenOf(req: IncomingMessage, body: string): SeenRequest {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
}

/**
 * Starts a look-alike on 127.0.0.1 (a free port) answering with `handler` (or a route table). A handler that
 * throws answers 500 `{ message }` unless it already answered.
 */
export async function startLookAlike(handler: LookAlikeHandler | LookAlikeRoute[]): Promise<LookAlikeServer> {
  const handle = Array.isArray(handler) ? routes(handler) : handler;
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = seenOf(req, Buffer.concat(chunks).toString('utf8'));
      seen.push(r);
      Promise.resolve()
        .then(() => handle(r, res, req))
        .catch((error: unknown) => {
          if (!res.headersSent && !res.destroyed) send(res, 500, { message: String(error) });
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts a look-alike in `beforeAll` and closes it in `afterAll` of the current suite; the returned holder's
 * `current` is the running server (read it inside tests, not at collection time).
 */
export function useLookAlike(handler: LookAlikeHandler | LookAlikeRoute[]): { current: LookAlikeServer } {
  const holder = {} as { current: LookAlikeServer };
  beforeAll(async () => {
    holder.current = await startLookAlike(handler);
  });
  afterAll(async () => {
    await holder.current?.close();
  });
  return holder;
}
