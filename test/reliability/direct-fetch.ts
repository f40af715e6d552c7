import { type HttpHandler, getResponse } from 'msw';

/**
 * A `fetch` that hands each request straight to the fakes' msw handlers (msw's `getResponse`), without the
 * interceptor `setupServer` installs: the same handlers, faults and state, at a fraction of the cost per
 * call, so the chaos runs fit the suite's time budget. Behaves like `fetch` where the SDK can tell: an
 * aborted signal rejects with its reason, `Response.error()` (a dropped connection) rejects with a
 * TypeError, and an unhandled request rejects (nothing reaches the network).
 */
export function directFetch(handlers: HttpHandler[]): typeof fetch {
  return async (input, init) => {
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) throw signal.reason;
    const request = new Request(input, init);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const response = await Promise.race([getResponse(handlers, request), aborted]);
      if (!response) throw new TypeError(`fetch failed: no fake handles ${request.method} ${request.url}`);
      if (response.type === 'error') throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
      return response;
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  };
}
