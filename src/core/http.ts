import { attemptSignal, makeAttemptSignalAhead } from './attempt-timer.js';
import { type CallContext, type ResponseInfo, callContextOf } from './call-context.js';
import { type ClientSignal, clientSignalOf } from './client-signal.js';
import { MarketplaceError, NetworkError, ResponseValidationError, TimeoutError, ValidationError } from './errors.js';
import type { EventHub } from './events.js';
import { requestPathProblem } from './ids.js';
import type { Limiter } from './limiter.js';
import { type ClientLimits, type ResolvedLimits, resolveLimits } from './limits.js';
import { networkCauseCode, networkFailureFamily, networkFailureHint, redactedCauseChain } from './network-failure.js';
import { type Redactor, SENSITIVE_KEY, redactHeaders } from './redact.js';
import {
  type CallDeadline,
  NoRetrySignal,
  type RetryOptions,
  type RetryPolicy,
  StaleTokenSignal,
  withRetries,
} from './retry.js';
import { DeadlineExceededError, RedirectRefusedError, ResponseTooLargeError } from './transport-errors.js';
import { SDK_VERSION } from '../version.js';

/** HTTP methods the SDK sends. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One logical call (retries included). */
export interface HttpRequest {
  /**
   * SDK operation name, for errors and events. `token` marks a credential request (token, login, refresh): it
   * skips the limiter queue (single-flight keeps it to one per credential, and API calls waiting in their slots
   * for a token must not wait behind it) and never follows a redirect, not even on the same origin.
   */
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
  /**
   * Headers to add to an authenticated request. Read inside the limiter slot, right before the request is sent,
   * so after a token expires or is revoked at most the limiter's concurrency of requests carry the dead one.
   * `signal` aborts only this caller's wait: a token fetch shared with other callers goes on.
   */
  headers(signal?: AbortSignal): Promise<Record<string, string>>;
  /**
   * Optional: the headers at once when a fresh token is cached, else undefined. Lets a cached token be used
   * without an await, and lets a cold call wait for its token before it takes a limiter slot.
   */
  peek?(): Record<string, string> | undefined;
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
  /** The client's own abort signal, combined with each call's (core/client-signal.ts: no `AbortSignal.any`). */
  signal?: AbortSignal | undefined;
  /** Response size, page count and deadline limits (validated here; defaults in limits.ts). */
  limits?: ClientLimits | undefined;
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

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Redirect statuses (304 is not one: it is an answer). */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Longest vendor request id kept (ids are GUIDs or short tokens; anything longer is cut after redaction). */
const MAX_VENDOR_REQUEST_ID = 128;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are stripped from vendor ids.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

/** A request id made ahead while a request was on the wire ({@link prepareNextCall}): random, never used before. */
let spareRequestId: string | undefined;
let preparing = false;

/** A new request id: the one made ahead, else a new one. */
function newRequestId(): string {
  const id = spareRequestId;
  if (id === undefined) return crypto.randomUUID();
  spareRequestId = undefined;
  return id;
}

function makeAhead(): void {
  preparing = false;
  makeAttemptSignalAhead();
  spareRequestId ??= crypto.randomUUID();
}

/**
 * Makes what the next call needs first (its attempt signal, its request id) while this request is on the wire
 * (issue 21): call right after `fetch` was called. In a microtask, so it runs after the fetch's own first steps
 * (undici writes the request in a microtask queued by `fetch`) and overlaps the round trip instead of lengthening
 * the gap between two requests. Nothing made ahead has been used before: it is made early, never reused.
 */
function prepareNextCall(): void {
  if (preparing) return;
  preparing = true;
  queueMicrotask(makeAhead);
}

/** Whether `response` may be a redirect for {@link HttpTransport} `#redirect` (else it answers undefined). */
function mayRedirect(response: Response): boolean {
  return (
    (response.redirected && !!response.url) || response.type === 'opaqueredirect' || REDIRECTS.has(response.status)
  );
}

/** The host (with a non-default port) of a URL, never its path or query. */
function hostOf(url: URL): string {
  return url.host;
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // nothing to do: the body is dropped either way
  }
}

/**
 * The single path every vendor call takes: limiter -> auth -> fetch -> typed error, with p-retry deciding
 * retries from the typed error. `fetch` is called with a URL string and a plain init (no `Request` object,
 * which costs more than the rest of the SDK's work per call; see docs/performance.md).
 *
 * Guards on every call (docs/reliability.md, "Limits" and "Redirects"): `redirect: 'manual'` (a redirect to
 * another origin is refused with {@link RedirectRefusedError}; on the same origin only a GET that is not a
 * token request follows one hop), bodies read as a stream up to `limits.maxResponseBytes`, one deadline per
 * call over token wait, attempts and backoff, and request paths checked for dot and empty segments.
 */
export class HttpTransport {
  readonly #o: TransportOptions;
  readonly #defaultHeaders: Record<string, string>;
  /** The base URL without trailing slashes. */
  readonly #base: string;
  readonly #origin: string;
  readonly #limits: ResolvedLimits;
  /** How calls follow the client's `signal` option (shared by every transport given that signal). */
  readonly #clientSignal: ClientSignal | undefined;

  constructor(options: TransportOptions) {
    this.#o = options;
    this.#clientSignal = clientSignalOf(options.signal);
    this.#limits = resolveLimits(options.limits, options.timeoutMs);
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#origin = new URL(this.#base).origin;
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

  /** The limits in force (defaults filled in); listings pass `maxPages` to their PagedList. */
  get limits(): ResolvedLimits {
    return this.#limits;
  }

  /** Sends a request with retries per its policy; resolves with the parsed body or throws a typed error. */
  async send<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const o = this.#o;
    this.#checkTarget(request);
    const requestId = request.requestId ?? newRequestId();
    const policy = request.retry ?? (request.method === 'GET' ? 'read' : 'write');
    // Per-call options (core/call-context.ts), found by the signal the public boundary gave the call.
    const call = callContextOf(request.signal);
    // With a client signal, the call follows it until it settles (core/client-signal.ts); without, nothing to do.
    const scope = this.#clientSignal?.enter(request.signal);
    const signal = scope === undefined ? request.signal : scope.signal;
    const deadline: CallDeadline = { at: performance.now() + this.#limits.deadlineMs };
    const retry =
      call?.retry === undefined
        ? o.retry
        : call.retry === false
          ? { ...o.retry, retries: 0 }
          : { ...o.retry, ...call.retry };
    const result = withRetries((attempt) => this.#attempt<T>(request, requestId, attempt, signal, deadline, call), {
      policy,
      options: retry,
      events: o.events,
      provider: o.provider,
      operation: request.operation,
      requestId,
      signal,
      deadline,
    });
    if (scope === undefined) return result;
    try {
      return await result;
    } finally {
      scope.leave();
    }
  }

  /** Refuses, before any network call, a path with dot/empty segments or an authenticated URL on another origin. */
  #checkTarget(request: HttpRequest): void {
    // A path starting with "/" is relative (the common case): no regular expression for it.
    if (request.path.charCodeAt(0) !== 47 && /^https?:\/\//i.test(request.path)) {
      // Absolute URLs: token URLs (configuration) and vendor next links. Credentials of API calls stay on the API origin.
      const useAuth = request.auth !== false && this.#o.auth !== undefined;
      let origin: string;
      try {
        origin = new URL(request.path).origin;
      } catch {
        throw new ValidationError(`${request.operation}: not a valid URL`, [{ path: 'url', message: 'is not a URL' }], {
          provider: this.#o.provider,
          operation: request.operation,
        });
      }
      if (useAuth && origin !== this.#origin) {
        throw new ValidationError(
          `${request.operation}: refusing to send credentials to ${new URL(request.path).host}, which is not the configured API host`,
          [{ path: 'url', message: 'must be on the base URL origin' }],
          { provider: this.#o.provider, operation: request.operation },
        );
      }
      return;
    }
    const problem = requestPathProblem(request.path);
    if (problem) {
      throw new ValidationError(
        `${request.operation}: the request path ${problem}; an id is empty, "." or "..", or holds a control character`,
        [{ path: 'id', message: `the request path ${problem}` }],
        { provider: this.#o.provider, operation: request.operation },
      );
    }
  }

  /**
   * Not async on purpose (issue 21): a warm call goes from here into the limiter with no await of ours; a sync
   * throw lands in the caller's try (withRetries) like a rejection.
   */
  #attempt<T>(
    request: HttpRequest,
    requestId: string,
    attempt: number,
    signal: AbortSignal | undefined,
    deadline: CallDeadline,
    call: CallContext | undefined,
  ): Promise<HttpResponse<T>> {
    const auth = request.auth !== false ? this.#o.auth : undefined;
    const peeked = auth?.peek?.();
    // A cold or expiring token is awaited before queueing, so waiting for it holds no limiter slot.
    if (auth?.peek && peeked === undefined) {
      return this.#token(auth, request, requestId, signal, deadline).then(() =>
        this.#queue<T>(request, requestId, attempt, signal, deadline, call, auth, undefined),
      );
    }
    return this.#queue<T>(request, requestId, attempt, signal, deadline, call, auth, peeked);
  }

  /**
   * Runs the attempt in a limiter slot. `peeked` (auth headers read just before) is used only when the limiter
   * starts the task at once, in the same synchronous step; a task that waited reads the token again in its slot.
   */
  #queue<T>(
    request: HttpRequest,
    requestId: string,
    attempt: number,
    signal: AbortSignal | undefined,
    deadline: CallDeadline,
    call: CallContext | undefined,
    auth: AuthHandler | undefined,
    peeked: Record<string, string> | undefined,
  ): Promise<HttpResponse<T>> {
    // Token requests skip the queue: API calls may hold every slot while they wait for that very token.
    if (request.operation === 'token')
      return this.#inSlot<T>(request, requestId, attempt, signal, deadline, auth, call, peeked);
    let inline = true;
    let started = false;
    // When the task was queued: read only for a task the limiter did not start at once (most start at once).
    let queued = 0;
    // An attempt timeout of its own (per call or request) may outlast the client's: a Redis slot must outlast it.
    const maxRunMs = call?.timeoutMs ?? request.timeoutMs;
    const result = this.#o.limiter.schedule(
      () => {
        started = true;
        // Time spent queued behind the client's own rate limit does not count against the call's deadline.
        if (!inline) deadline.at += performance.now() - queued;
        return this.#inSlot<T>(request, requestId, attempt, signal, deadline, auth, call, inline ? peeked : undefined);
      },
      maxRunMs === undefined ? undefined : { maxRunMs },
    );
    inline = false;
    if (!started) queued = performance.now();
    return result;
  }

  /** Waits for auth headers within the call's deadline; a failure here is final for the call (no nested retries). */
  async #token(
    auth: AuthHandler,
    request: HttpRequest,
    requestId: string,
    signal: AbortSignal | undefined,
    deadline: CallDeadline,
  ): Promise<Record<string, string>> {
    const remaining = deadline.at - performance.now();
    if (remaining <= 0)
      throw new NoRetrySignal(this.#deadlineError(request, requestId, undefined, 'waiting for a token'));
    const wait = attemptSignal(signal, remaining);
    try {
      return await auth.headers(wait.signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (wait.timedOut) throw new NoRetrySignal(this.#deadlineError(request, requestId, error, 'waiting for a token'));
      // The token request had its own retries; retrying the call would multiply them.
      throw new NoRetrySignal(error);
    } finally {
      wait.dispose();
    }
  }

  async #inSlot<T>(
    request: HttpRequest,
    requestId: string,
    attempt: number,
    signal: AbortSignal | undefined,
    deadline: CallDeadline,
    auth: AuthHandler | undefined,
    call: CallContext | undefined,
    peeked?: Record<string, string> | undefined,
  ): Promise<HttpResponse<T>> {
    const o = this.#o;
    signal?.throwIfAborted();
    // Read inside the slot: a token evicted while this call was queued is not sent (`peeked` was read in this
    // same synchronous step when the limiter started the task at once).
    const authHeaders = auth
      ? (peeked ?? auth.peek?.() ?? (await this.#token(auth, request, requestId, signal, deadline)))
      : {};
    // A relative path without a query is the common case: plain concatenation, no URL object to build.
    let url =
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
    // Later sources win: the request's headers, then auth, then the request id; sent with lower-cased keys.
    // `headers` (those sources, as given) is built only for a `request` listener or per-call headers.
    let headers: Record<string, string> | undefined;
    if (call?.headers || o.events.observed('request')) {
      headers = this.#sourceHeaders(request, authHeaders, requestId);
      for (const k in headers) sent[k.toLowerCase()] = headers[k]!;
      if (call?.headers) this.#addCallHeaders(call.headers, sent, headers, request, requestId);
      this.#emitRequest(request, url, requestId, attempt, headers);
    } else {
      const own = request.headers;
      if (own) for (const k in own) sent[k.toLowerCase()] = own[k]!;
      for (const k in authHeaders) sent[k.toLowerCase()] = authHeaders[k]!;
      if (o.requestIdHeader) sent[o.requestIdHeader.toLowerCase()] = requestId;
    }
    const started = performance.now();
    const timeoutMs = call?.timeoutMs ?? request.timeoutMs ?? o.timeoutMs;
    const remaining = deadline.at - started;
    if (remaining <= 0) throw this.#deadlineError(request, requestId, undefined, 'before sending');
    const byDeadline = remaining < timeoutMs;
    const timing = attemptSignal(signal, Math.min(timeoutMs, remaining));
    let response: Response;
    let text: string;
    try {
      // Only what differs from fetch's defaults: an explicit GET method or an undefined body costs undici
      // a few microseconds per call to normalise (docs/performance.md). Redirects are never followed by fetch.
      const init: RequestInit = { headers: sent, signal: timing.signal, redirect: 'manual' };
      if (request.method !== 'GET') init.method = request.method;
      if (payload !== undefined) init.body = payload;
      const doFetch = o.fetch ?? globalThis.fetch;
      const sending = doFetch(url, init);
      // The next call's attempt signal and request id are made while this request is on the wire.
      prepareNextCall();
      response = await sending;
      // Most answers are not redirects: no async step for them (#redirect would answer undefined at once).
      for (let hops = 0; mayRedirect(response); hops++) {
        const target = await this.#redirect(response, url, request, requestId, hops);
        if (target === undefined) break;
        url = target;
        if (o.events.observed('request')) {
          headers ??= this.#sourceHeaders(request, authHeaders, requestId);
          this.#emitRequest(request, url, requestId, attempt, headers);
        }
        response = await doFetch(url, init);
      }
      text = await this.#readBody(response, request, requestId);
    } catch (error) {
      if (error instanceof MarketplaceError && !timing.signal.aborted) throw error;
      throw this.#transportError(error, request, requestId, signal, timing.timedOut, timeoutMs, url, byDeadline);
    } finally {
      timing.dispose();
    }
    const vendorRequestId = this.#vendorRequestId(response.headers);
    if (call?.onResponse) {
      this.#tellResponse(call.onResponse, {
        operation: request.operation,
        method: request.method,
        url: o.redactor.redact(url),
        status: response.status,
        headers: this.#scrubbedHeaders(response.headers),
        vendorRequestId,
        requestId,
        attempt,
        durationMs: Math.round(performance.now() - started),
      });
    }
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
    if (response.status === 401 && auth && auth.refused(authHeaders)) throw new StaleTokenSignal(mapped);
    throw mapped;
  }

  /** The request's headers, then auth, then the request id (later wins), as given: what `request` events show. */
  #sourceHeaders(request: HttpRequest, authHeaders: Record<string, string>, requestId: string): Record<string, string> {
    const headers: Record<string, string> = { ...request.headers, ...authHeaders };
    if (this.#o.requestIdHeader) headers[this.#o.requestIdHeader] = requestId;
    return headers;
  }

  /**
   * Adds a call's own headers (already checked: no credentials or hop-by-hop names) under the SDK's: a header the
   * SDK sets for the vendor (auth, keys, request ids, content type) cannot be overridden, and saying so beats
   * sending something else than asked.
   */
  #addCallHeaders(
    extra: Record<string, string>,
    sent: Record<string, string>,
    headers: Record<string, string>,
    request: HttpRequest,
    requestId: string,
  ): void {
    for (const name in extra) {
      const isDefault = Object.hasOwn(this.#defaultHeaders, name) && sent[name] === this.#defaultHeaders[name];
      if (Object.hasOwn(sent, name) && !isDefault) {
        throw new ValidationError(
          `${request.operation}: the header ${name} is set by the SDK for ${this.#o.provider} and cannot be overridden per call; nothing was sent`,
          [{ path: `headers.${name}`, message: 'is set by the SDK' }],
          { provider: this.#o.provider, operation: request.operation, requestId },
        );
      }
      sent[name] = extra[name]!;
      headers[name] = extra[name]!;
    }
  }

  /** Response headers for `onResponse`: credential-bearing ones replaced, every value scrubbed of secrets. */
  #scrubbedHeaders(source: Headers): Record<string, string> {
    const out: Record<string, string> = {};
    source.forEach((value, name) => {
      out[name] =
        SENSITIVE_KEY.test(name) || /^www-authenticate$|^proxy-authenticate$/.test(name)
          ? '[REDACTED]'
          : this.#o.redactor.redact(value);
    });
    return out;
  }

  /** Hands a response's facts to the call's `onResponse`; what it throws is ignored. */
  #tellResponse(onResponse: (info: ResponseInfo) => void, info: ResponseInfo): void {
    try {
      onResponse(info);
    } catch {
      // An observer's bug must not change the outcome of a vendor call (as with event listeners).
    }
  }

  #emitRequest(
    request: HttpRequest,
    url: string,
    requestId: string,
    attempt: number,
    headers: Record<string, string>,
  ): void {
    const o = this.#o;
    if (!o.events.observed('request')) return;
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

  /**
   * For a redirect answer: the URL to follow (same origin, a GET that is not a token request, first hop), or
   * throws {@link RedirectRefusedError}. Undefined when `response` is not a redirect. The refused target is
   * never contacted; the error names its host only.
   */
  async #redirect(
    response: Response,
    from: string,
    request: HttpRequest,
    requestId: string,
    hops: number,
  ): Promise<string | undefined> {
    // A fetch that followed the redirect itself (a custom fetch ignoring `redirect: 'manual'`): refuse its answer.
    if (response.redirected && response.url) {
      const landed = new URL(response.url);
      if (landed.origin !== new URL(from).origin) {
        await discard(response);
        throw this.#redirectRefused(
          request,
          requestId,
          response.status,
          hostOf(landed),
          false,
          'the custom fetch followed it',
        );
      }
    }
    const opaque = response.type === 'opaqueredirect';
    if (!opaque && !REDIRECTS.has(response.status)) return undefined;
    const fromUrl = new URL(from);
    await discard(response);
    const location = opaque ? null : response.headers.get('location');
    let target: URL | undefined;
    try {
      target = location ? new URL(location, from) : undefined;
    } catch {
      target = undefined;
    }
    const status = opaque ? 0 : response.status;
    if (!target || !/^https?:$/.test(target.protocol)) {
      throw this.#redirectRefused(
        request,
        requestId,
        status,
        target ? hostOf(target) : '',
        false,
        'no usable Location',
      );
    }
    const sameOrigin = target.origin === fromUrl.origin;
    if (!sameOrigin) throw this.#redirectRefused(request, requestId, status, hostOf(target), false, 'another origin');
    if (request.method !== 'GET' || request.operation === 'token' || hops > 0) {
      const why =
        hops > 0 ? 'a second redirect' : request.operation === 'token' ? 'a token request' : `a ${request.method}`;
      throw this.#redirectRefused(request, requestId, status, hostOf(target), true, why);
    }
    return target.href;
  }

  #redirectRefused(
    request: HttpRequest,
    requestId: string,
    status: number,
    targetHost: string,
    sameOrigin: boolean,
    why: string,
  ): RedirectRefusedError {
    const host = this.#o.redactor.redact(targetHost);
    const to = host ? ` to ${host}` : '';
    return new RedirectRefusedError(
      `${request.operation}: the vendor answered a redirect (${status})${to}; not followed (${why}), nothing was sent there`,
      {
        provider: this.#o.provider,
        operation: request.operation,
        status,
        requestId,
        redirectStatus: status,
        targetHost: host,
        sameOrigin,
        hint: sameOrigin
          ? 'The SDK follows one same-origin redirect for reads only. Check the base URL (path, trailing segment).'
          : `Check the base URL, region and token URL options: the SDK sends credentials only to the hosts you configured. If ${host || 'the target'} is right, configure it.`,
      },
    );
  }

  /**
   * Reads the body as text, at most `limits.maxResponseBytes` decoded bytes. A Content-Length over the cap is
   * refused unread; otherwise the stream is read and cancelled as soon as the count passes the cap (fetch
   * decompresses, so the count is of decoded bytes and a gzip bomb stops at the cap too).
   */
  #readBody(response: Response, request: HttpRequest, requestId: string): Promise<string> {
    const declared = response.headers.get('content-length');
    const encoding = response.headers.get('content-encoding');
    const plain = encoding === null || encoding === 'identity';
    // Known length under the cap and no decoding: undici's own reader is fastest and cannot read past it (and no
    // async step of ours around it).
    if (declared !== null && plain) {
      const n = Number(declared);
      if (Number.isFinite(n) && n <= this.#limits.maxResponseBytes) return response.text();
    }
    return this.#readCapped(response, request, requestId, declared, plain);
  }

  /** The rest of {@link #readBody}: a declared length over the cap, a compressed or unknown-length body. */
  async #readCapped(
    response: Response,
    request: HttpRequest,
    requestId: string,
    declared: string | null,
    plain: boolean,
  ): Promise<string> {
    const max = this.#limits.maxResponseBytes;
    if (declared !== null && plain) {
      const n = Number(declared);
      if (n > max) {
        await discard(response);
        throw this.#tooLarge(request, requestId, response.status, n);
      }
    }
    if (!response.body) return '';
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let total = 0;
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => undefined);
        throw this.#tooLarge(request, requestId, response.status, total);
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  }

  #tooLarge(request: HttpRequest, requestId: string, status: number, readBytes: number): ResponseTooLargeError {
    const max = this.#limits.maxResponseBytes;
    return new ResponseTooLargeError(
      `${request.operation}: the response body is larger than limits.maxResponseBytes (${max} bytes); reading stopped`,
      {
        provider: this.#o.provider,
        operation: request.operation,
        status,
        requestId,
        limitBytes: max,
        readBytes,
        hint: 'Narrow the request (smaller pages, a filter), or raise limits.maxResponseBytes if the answer is expected to be this large.',
      },
    );
  }

  #deadlineError(request: HttpRequest, requestId: string, cause: unknown, when: string): DeadlineExceededError {
    const ms = this.#limits.deadlineMs;
    return new DeadlineExceededError(`${request.operation}: the call's deadline of ${ms} ms passed (${when})`, {
      provider: this.#o.provider,
      operation: request.operation,
      requestId,
      deadlineMs: ms,
      hint: 'The vendor (or its token endpoint) is slow or failing; raise limits.deadlineMs or try again later.',
      cause,
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
        // Redact the whole text first: cutting first could keep the start of a secret the redactor then misses.
        value: this.#o.redactor.redact(text).slice(0, 200),
        cause,
      });
    }
  }

  /** The vendor's request id: redacted (a vendor may echo a credential there), control characters out, capped. */
  #vendorRequestId(headers: Headers): string | undefined {
    const names = this.#o.vendorRequestIdHeaders;
    if (names === undefined) return undefined;
    for (const name of names) {
      const v = headers.get(name);
      if (v) return this.#o.redactor.redact(v).replace(CONTROL_CHARS, '').slice(0, MAX_VENDOR_REQUEST_ID) || undefined;
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
    url: string,
    byDeadline: boolean,
  ): unknown {
    if (signal?.aborted) return signal.reason;
    const fields = { provider: this.#o.provider, operation: request.operation, requestId };
    if (timedOut) {
      if (byDeadline) return this.#deadlineError(request, requestId, error, 'waiting for the response');
      return new TimeoutError(`${request.operation}: no response within ${timeoutMs} ms`, { ...fields, cause: error });
    }
    if (isAbort(error)) return error;
    const redact = (t: string) => this.#o.redactor.redact(t);
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const port = target.port ? Number(target.port) : target.protocol === 'https:' ? 443 : 80;
    const code = networkCauseCode(error);
    const family = networkFailureFamily(code);
    const detail = error instanceof Error ? redact(error.message) : 'unknown error';
    return new NetworkError(
      `${request.operation}: connection to ${host}:${port} failed (${code ? `${code}, ` : ''}${detail})`,
      {
        ...fields,
        code,
        host,
        port,
        hint: networkFailureHint(family, `${host}:${port}`),
        cause: redactedCauseChain(error, redact),
      },
    );
  }
}
