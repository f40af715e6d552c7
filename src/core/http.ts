import { type MarketplaceError, NetworkError, ResponseValidationError, TimeoutError } from './errors.js';
import type { EventHub } from './events.js';
import type { Limiter } from './limiter.js';
import { type Redactor, redactHeaders } from './redact.js';
import { type RetryOptions, type RetryPolicy, StaleTokenSignal, withRetries } from './retry.js';
import { SDK_VERSION } from '../version.js';

/** HTTP methods the SDK sends. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One logical call (retries included). */
export interface HttpRequest {
  /** SDK operation name, for errors and events. */
  operation: string;
  method: HttpMethod;
  /** Path below the base URL (`/subscriptions/123`), or an absolute URL. */
  path: string;
  query?: Record<string, string | number | boolean | undefined | null> | undefined;
  /** JSON body. */
  json?: unknown;
  /** Form body (application/x-www-form-urlencoded). */
  form?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
  /** Whether to send the access token (default true). */
  auth?: boolean | undefined;
  /** How the call may be retried (default `read` for GET, `write` otherwise). */
  retry?: RetryPolicy | undefined;
  /** What the body is: JSON (default), text, or nothing. */
  responseType?: 'json' | 'text' | 'none' | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Headers computed per logical call and reused on every retry (e.g. an idempotency key). */
  requestId?: string | undefined;
}

/** A successful answer. */
export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  data: T;
  /** The SDK's id for this call (also sent to vendors that accept one). */
  requestId: string;
  /** The vendor's request/correlation id, when it sent one. */
  vendorRequestId: string | undefined;
}

/** A non-2xx answer, handed to the provider's error mapper. */
export interface ErrorResponse {
  request: HttpRequest;
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: unknown;
  /** The raw body text (already redacted). */
  text: string;
  requestId: string;
  vendorRequestId: string | undefined;
}

/** Supplies auth headers and hears about 401s. */
export interface AuthHandler {
  /** Headers to add to an authenticated request; fetched before the limiter so waiting for a token holds no slot. */
  headers(signal?: AbortSignal): Promise<Record<string, string>>;
  /** Called once when the vendor refused those headers with 401; returns whether a retry may help. */
  refused(headers: Record<string, string>): boolean;
}

/** Everything a transport needs; one per client. */
export interface TransportOptions {
  provider: string;
  baseUrl: string;
  events: EventHub;
  redactor: Redactor;
  limiter: Limiter;
  retry: RetryOptions;
  timeoutMs: number;
  /** Maps a non-2xx answer to a typed error. */
  mapError: (response: ErrorResponse) => MarketplaceError;
  auth?: AuthHandler | undefined;
  /** Response headers that carry the vendor's request id, checked in order. */
  vendorRequestIdHeaders?: string[] | undefined;
  /** Headers sent on every request (user agent, subscription keys are added by auth instead). */
  defaultHeaders?: Record<string, string> | undefined;
  /** Header to send the SDK's request id in, when the vendor accepts one. */
  requestIdHeader?: string | undefined;
  fetch?: typeof fetch | undefined;
  /** The client's own abort signal, combined with each call's. */
  signal?: AbortSignal | undefined;
}

/** The SDK's user agent. */
export const USER_AGENT = `msp-marketplace-sdk/${SDK_VERSION}`;

/** Builds a full URL from a base URL, path and query (undefined/null values are left out). */
export function buildUrl(baseUrl: string, path: string, query?: HttpRequest['query']): string {
  const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
  }
  return url.toString();
}

function combineSignals(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a) return b;
  if (!b) return a;
  return AbortSignal.any([a, b]);
}

/**
 * One attempt's signal: aborts on the caller's signal or after `timeoutMs`. A plain controller and a timer
 * that is cleared when the attempt ends (rather than `AbortSignal.timeout` + `AbortSignal.any`, which leave
 * a 30 s timer and listeners behind per request; see docs/performance.md).
 */
class AttemptSignal {
  readonly #controller = new AbortController();
  readonly #outer: AbortSignal | undefined;
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #onAbort = () => this.#controller.abort(this.#outer?.reason);
  timedOut = false;

  constructor(outer: AbortSignal | undefined, timeoutMs: number) {
    this.#outer = outer;
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.#controller.abort(new DOMException('The attempt timed out', 'TimeoutError'));
    }, timeoutMs);
    if (outer?.aborted) this.#onAbort();
    else outer?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#outer?.removeEventListener('abort', this.#onAbort);
  }
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * The single path every vendor call takes: limiter -> auth -> fetch -> typed error, with p-retry deciding
 * retries from the typed error. `fetch` is called with a URL string and a plain init (no `Request` object,
 * which costs more than the rest of the SDK's work per call; see docs/performance.md).
 */
export class HttpTransport {
  readonly #o: TransportOptions;
  readonly #defaultHeaders: Record<string, string>;
  /** The base URL without trailing slashes. */
  readonly #base: string;

  constructor(options: TransportOptions) {
    this.#o = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#defaultHeaders = lowerCaseKeys({
      'user-agent': USER_AGENT,
      accept: 'application/json',
      ...options.defaultHeaders,
    });
  }

  /** The base URL this transport sends to. */
  get baseUrl(): string {
    return this.#o.baseUrl;
  }

  /** Sends a request with retries per its policy; resolves with the parsed body or throws a typed error. */
  async send<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const o = this.#o;
    const requestId = request.requestId ?? crypto.randomUUID();
    const policy = request.retry ?? (request.method === 'GET' ? 'read' : 'write');
    const signal = combineSignals(o.signal, request.signal);
    return withRetries((attempt) => this.#attempt<T>(request, requestId, attempt, signal), {
      policy,
      options: o.retry,
      events: o.events,
      provider: o.provider,
      operation: request.operation,
      requestId,
      signal,
    });
  }

  async #attempt<T>(
    request: HttpRequest,
    requestId: string,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse<T>> {
    const o = this.#o;
    const useAuth = request.auth !== false && o.auth !== undefined;
    const authHeaders = useAuth ? await o.auth!.headers(signal) : {};
    return o.limiter.schedule(async () => {
      // A relative path without a query is the common case: plain concatenation, no URL object to build.
      const url =
        request.query === undefined && request.path.startsWith('/')
          ? this.#base + request.path
          : buildUrl(o.baseUrl, request.path, request.query);
      let payload: string | URLSearchParams | undefined;
      const sent: Record<string, string> = { ...this.#defaultHeaders };
      if (request.json !== undefined) {
        payload = JSON.stringify(request.json);
        sent['content-type'] = 'application/json';
      } else if (request.form) {
        payload = new URLSearchParams(request.form);
      }
      // Later sources win: the call's headers, then auth, then the request id; sent with lower-cased keys.
      const headers: Record<string, string> = { ...request.headers, ...authHeaders };
      if (o.requestIdHeader) headers[o.requestIdHeader] = requestId;
      for (const k in headers) sent[k.toLowerCase()] = headers[k]!;
      if (o.events.observed('request')) {
        o.events.emit('request', {
          provider: o.provider,
          operation: request.operation,
          method: request.method,
          url: o.redactor.redact(url),
          requestId,
          attempt,
          headers: redactHeaders(headers),
        });
      }
      const started = performance.now();
      const timeoutMs = request.timeoutMs ?? o.timeoutMs;
      const attemptSignal = new AttemptSignal(signal, timeoutMs);
      let response: Response;
      let text: string;
      try {
        // Only what differs from fetch's defaults: an explicit GET method or an undefined body costs undici
        // a few microseconds per call to normalise (docs/performance.md).
        const init: RequestInit = { headers: sent, signal: attemptSignal.signal };
        if (request.method !== 'GET') init.method = request.method;
        if (payload !== undefined) init.body = payload;
        response = await (o.fetch ?? globalThis.fetch)(url, init);
        text = await response.text();
      } catch (error) {
        throw this.#transportError(error, request, requestId, signal, attemptSignal.timedOut, timeoutMs);
      } finally {
        attemptSignal.dispose();
      }
      const vendorRequestId = this.#vendorRequestId(response.headers);
      if (o.events.observed('response')) {
        o.events.emit('response', {
          provider: o.provider,
          operation: request.operation,
          method: request.method,
          url: o.redactor.redact(url),
          requestId,
          attempt,
          status: response.status,
          durationMs: Math.round(performance.now() - started),
          vendorRequestId,
        });
      }
      if (response.ok) {
        return {
          status: response.status,
          headers: response.headers,
          data: this.#parseBody<T>(text, request, response.status, vendorRequestId ?? requestId),
          requestId,
          vendorRequestId,
        };
      }
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      const mapped = o.mapError({
        request,
        status: response.status,
        headers: response.headers,
        body,
        text: o.redactor.redact(text),
        requestId,
        vendorRequestId,
      });
      if (response.status === 401 && useAuth && o.auth!.refused(authHeaders)) throw new StaleTokenSignal(mapped);
      throw mapped;
    });
  }

  #parseBody<T>(text: string, request: HttpRequest, status: number, requestId: string): T {
    if (request.responseType === 'none') return undefined as T;
    if (request.responseType === 'text') return text as T;
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      // A cut-off body on a success: for a read this is retried like a network error.
      throw new ResponseValidationError(`${request.operation}: the response body is not valid JSON`, {
        provider: this.#o.provider,
        operation: request.operation,
        status,
        requestId,
        retryable: true,
        field: '(body)',
        value: this.#o.redactor.redact(text.slice(0, 200)),
        cause,
      });
    }
  }

  #vendorRequestId(headers: Headers): string | undefined {
    for (const name of this.#o.vendorRequestIdHeaders ?? []) {
      const v = headers.get(name);
      if (v) return v;
    }
    return undefined;
  }

  #transportError(
    error: unknown,
    request: HttpRequest,
    requestId: string,
    signal: AbortSignal | undefined,
    timedOut: boolean,
    timeoutMs: number,
  ): unknown {
    if (signal?.aborted) return signal.reason;
    const fields = { provider: this.#o.provider, operation: request.operation, requestId };
    if (timedOut) {
      return new TimeoutError(`${request.operation}: no response within ${timeoutMs} ms`, { ...fields, cause: error });
    }
    if (isAbort(error)) return error;
    const detail = error instanceof Error ? this.#o.redactor.redact(error.message) : 'unknown error';
    return new NetworkError(`${request.operation}: connection failed (${detail})`, {
      ...fields,
      hint: 'Check network access to the vendor; the call is retried for reads.',
      cause: error instanceof Error ? new Error(detail) : undefined,
    });
  }
}
