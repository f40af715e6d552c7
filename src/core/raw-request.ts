/**
 * The escape hatch (issue 19): `client.request(method, path, options)` calls any endpoint of the vendor's API with
 * the client's auth, limiter, retries, limits and redaction, like Octokit's `request`. Paths are relative to the
 * client's base URL only: an absolute URL, a scheme or `//host` is refused before anything is sent, so credentials
 * never leave for another origin.
 */
import type { CallOptions } from './call-context.js';
import { ValidationError } from './errors.js';
import type { HttpMethod, HttpTransport } from './http.js';
import { idProblem } from './ids.js';
import { SENSITIVE_KEY } from './redact.js';
import type { Redactor } from './redact.js';

/** Options of the client's `request` method. */
export interface RawRequestOptions extends CallOptions {
  /** Values of `{name}` placeholders in the path (`/subscriptions/{subscriptionId}`), URL-encoded and checked like ids. */
  params?: Record<string, string | number> | undefined;
  /** Query parameters (undefined and null are left out). */
  query?: Record<string, string | number | boolean | undefined | null> | undefined;
  /** JSON body. */
  body?: unknown;
  /** `json` (default) parses the answer; `text` returns it as it came. */
  responseType?: 'json' | 'text' | undefined;
  signal?: AbortSignal | undefined;
}

/** The answer of the client's `request` method. */
export interface RawResponse<T = unknown> {
  status: number;
  /** Response headers, lower-case names; credential-bearing ones `[REDACTED]`, every value scrubbed of secrets. */
  headers: Record<string, string>;
  /** The parsed body (or text with `responseType: 'text'`; undefined when empty). */
  data: T;
  /** The SDK's id of the call. */
  requestId: string;
  /** The vendor's request id, when it sent one. */
  vendorRequestId: string | undefined;
}

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Known keys of {@link RawRequestOptions}. */
const KEYS = new Set([
  'params',
  'query',
  'body',
  'responseType',
  'signal',
  'timeoutMs',
  'retry',
  'headers',
  'onResponse',
]);

/**
 * The path to send for `path` with `params` filled in, or a `ValidationError` (thrown before any request): relative
 * to the base URL, starting with `/`, no scheme, host, `..` or query (use `query`), every placeholder filled.
 */
export function rawRequestPath(path: unknown, params: RawRequestOptions['params'], provider: string): string {
  const fail = (message: string): never => {
    throw new ValidationError(`request: ${message}; nothing was sent`, [{ path: 'path', message }], {
      provider,
      operation: 'request',
      hint: 'Give a path relative to the client base URL, e.g. "/subscriptions/{subscriptionId}" with params.',
    });
  };
  if (typeof path !== 'string' || path === '') return fail('the path must be a non-empty string');
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//') || path.startsWith('\\')) {
    return fail('the path must be relative to the client base URL (absolute URLs and other origins are refused)');
  }
  if (!path.startsWith('/')) return fail('the path must start with "/"');
  if (/[?#]/.test(path)) return fail('the path must not hold a query or fragment (use the query option)');
  const filled = path.replace(/\{([^}]*)\}/g, (_m, name: string) => {
    const value = params?.[name];
    if (value === undefined) return fail(`the path parameter {${name}} has no value in params`);
    const text = String(value);
    const problem = idProblem(text);
    if (problem) return fail(`the path parameter ${name} ${problem}`);
    return encodeURIComponent(text);
  });
  return filled;
}

/** Checks `method` and the option keys; throws `ValidationError` before any request. */
export function checkRawRequest(method: unknown, options: unknown, provider: string): asserts method is HttpMethod {
  const fields = { provider, operation: 'request' };
  if (typeof method !== 'string' || !METHODS.includes(method as HttpMethod)) {
    throw new ValidationError(
      `request: method must be one of ${METHODS.join(', ')}; nothing was sent`,
      [{ path: 'method', message: `must be one of ${METHODS.join(', ')}` }],
      fields,
    );
  }
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(
      'request: options must be an object',
      [{ path: 'options', message: 'must be an object' }],
      fields,
    );
  }
  const unknown = Object.keys(options).filter(
    (k) => (options as Record<string, unknown>)[k] !== undefined && !KEYS.has(k),
  );
  if (unknown.length) {
    throw new ValidationError(
      `request: unknown options ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${[...KEYS].join(', ')}); nothing was sent`,
      unknown.map((k) => ({ path: `options.${k}`, message: 'unknown option' })),
      fields,
    );
  }
}

/** Sends the request through the client's transport (auth, limiter, retries per the method, limits, redaction). */
export async function sendRawRequest<T>(
  transport: HttpTransport,
  redactor: Redactor,
  method: HttpMethod,
  path: string,
  options: RawRequestOptions,
): Promise<RawResponse<T>> {
  const res = await transport.send<T>({
    operation: 'request',
    method,
    path,
    query: options.query,
    json: options.body,
    responseType: options.responseType ?? 'json',
    signal: options.signal,
    // Reads retry on transient failures; anything else only where nothing can have been applied (429).
    retry: method === 'GET' ? 'read' : 'write',
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name] =
      SENSITIVE_KEY.test(name) || name === 'www-authenticate' || name === 'proxy-authenticate'
        ? '[REDACTED]'
        : redactor.redact(value);
  });
  return {
    status: res.status,
    headers,
    data: res.data,
    requestId: res.requestId,
    vendorRequestId: res.vendorRequestId,
  };
}
