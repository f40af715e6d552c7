import { HttpResponse, delay, http, type HttpHandler } from 'msw';
import type { FaultInjector } from './faults.js';

/** A request as a fake sees it: path relative to the fake's base URL, body already parsed. */
export interface FakeRequest {
  method: string;
  url: URL;
  /** Path below the base URL, starting with `/`. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  /** Parsed JSON, a form as a plain object, the raw text, or undefined for no body. */
  body: unknown;
}

/** One request a fake received, kept for assertions. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  body: unknown;
}

/** Parses a request body by content type. */
async function readBody(request: Request): Promise<unknown> {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const text = await request.text();
  if (!text) return undefined;
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * msw handlers for every request under `baseUrl`, routed to `dispatch`, with the fault injector
 * deciding what goes wrong before or after the fake applies the request.
 */
export function fakeHandlers(options: {
  baseUrl: string;
  faults: FaultInjector;
  log: RecordedRequest[];
  dispatch: (req: FakeRequest) => Promise<Response> | Response;
}): HttpHandler[] {
  const base = options.baseUrl.replace(/\/+$/, '');
  const basePath = new URL(base).pathname.replace(/\/+$/, '');
  return [
    http.all(`${base}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const path = url.pathname.slice(basePath.length) || '/';
      const body = await readBody(request);
      options.log.push({ method: request.method, path, query: url.search, body });
      const fault = options.faults.pick(request.method, path);
      if (fault) {
        switch (fault.kind) {
          case 'http-500':
          case 'http-502':
          case 'http-503': {
            const status = Number(fault.kind.slice(5));
            return HttpResponse.json({ message: 'injected fault', status }, { status });
          }
          case 'http-429':
            return HttpResponse.json(
              { message: 'Too many requests' },
              {
                status: 429,
                headers:
                  fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {},
              },
            );
          case 'reset':
            return HttpResponse.error();
          case 'timeout':
            await delay(fault.latencyMs ?? 60_000);
            return HttpResponse.error();
          case 'latency':
            await delay(fault.latencyMs ?? 100);
            break;
          default:
            break;
        }
      }
      const req: FakeRequest = {
        method: request.method,
        url,
        path,
        query: url.searchParams,
        headers: request.headers,
        body,
      };
      const response = await options.dispatch(req);
      if (fault?.kind === 'response-lost') return HttpResponse.error();
      if (fault?.kind === 'applied-then-500') return HttpResponse.json({ message: 'injected fault' }, { status: 500 });
      if (fault?.kind === 'truncated') {
        const text = await response.text();
        return new HttpResponse(text.slice(0, Math.floor(text.length / 2)), {
          status: response.status,
          headers: response.headers,
        });
      }
      return response;
    }),
  ];
}
