import { CachedTokenProvider } from '../../core/auth/cached-token-provider.js';
import type { AccessToken, TokenCacheStore, TokenProvider } from '../../core/auth/token-provider.js';
import { ResponseValidationError } from '../../core/errors.js';
import type { EventHub } from '../../core/events.js';
import type { HttpTransport } from '../../core/http.js';
import type { Redactor, Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import type { components } from '../../../generated/dandh.js';

type SessionLoginRequest = components['schemas']['SessionLoginRequest'];

/**
 * D&H session login: `POST {base}/GetSessionToken {username, password}` answers the token as a JSON string.
 * The session lifetime is not documented, so the token is cached for `sessionTtlMs` and, on the fault that
 * says the session expired, evicted (`invalidate`) so the next call logs in again.
 */
export function createDandhSessionProvider(options: {
  transport: HttpTransport;
  baseUrl: string;
  username: string;
  password: Secret;
  sessionTtlMs: number;
  events: EventHub;
  redactor: Redactor;
  cache?: TokenCacheStore | undefined;
}): TokenProvider {
  const { transport, baseUrl, username, password } = options;
  return new CachedTokenProvider({
    provider: 'dandh',
    cacheKey: hashKey('dandh', baseUrl, username, password.reveal()),
    cache: options.cache,
    events: options.events,
    redactor: options.redactor,
    fetchToken: async (signal) => {
      const body: SessionLoginRequest = { username, password: password.reveal() };
      // A login changes nothing at the vendor, so it is retried like a read (bad credentials are not retried).
      const res = await transport.send<unknown>({
        operation: 'token',
        method: 'POST',
        path: '/GetSessionToken',
        json: body,
        auth: false,
        retry: 'read',
        responseType: 'text',
        signal,
      });
      const token = sessionTokenOf(res.data);
      if (!token) {
        throw new ResponseValidationError('token: D&H answered GetSessionToken without a session token', {
          provider: 'dandh',
          operation: 'token',
          requestId: res.requestId,
          field: '(body)',
          value: '[REDACTED]',
        });
      }
      return { accessToken: token, expiresInSeconds: options.sessionTtlMs / 1000 };
    },
  });
}

/** The token from a `GetSessionToken` body: a JSON-quoted string (quotes stripped), or a bare string. */
export function sessionTokenOf(data: unknown): string | undefined {
  if (typeof data !== 'string') return undefined;
  let t = data.trim();
  if (t.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(t);
      t = typeof parsed === 'string' ? parsed.trim() : '';
    } catch {
      t = t.replace(/^"+|"+$/g, '').trim();
    }
  }
  return t && !t.startsWith('<') && !t.startsWith('{') ? t : undefined;
}

/** The `Authenticate` header value for a token, in the chosen form. */
export function authenticateHeader(token: AccessToken | string, form: 'prefixed' | 'bare'): string {
  const value = typeof token === 'string' ? token : token.value;
  return form === 'bare' ? value : `CCPSessionId ${value}`;
}
