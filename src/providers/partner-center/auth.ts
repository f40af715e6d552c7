import * as z from 'zod';
import type { components } from '../../../generated/partner-center.js';
import { CachedTokenProvider } from '../../core/auth/cached-token-provider.js';
import { OAuthTokenWire, requestOAuthToken } from '../../core/auth/oauth-token.js';
import type { TokenCacheStore } from '../../core/auth/token-provider.js';
import type { TokenStore } from '../../core/auth/token-store.js';
import type { EventHub } from '../../core/events.js';
import type { HttpTransport } from '../../core/http.js';
import type { Redactor, Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';

type TokenRequest = components['schemas']['TokenRequest'];

/** The v1 endpoint writes numbers as strings (`"expires_in": "3599"`); app+user answers may rotate the refresh token. */
const TokenWire = OAuthTokenWire.extend({ refresh_token: z.string().min(1).optional() });

/** The token resource (audience) of Partner Center on the Entra v1 endpoint. */
export const PARTNER_CENTER_RESOURCE = 'https://api.partnercenter.microsoft.com';

/** The Entra v1 token URL of a tenant. */
export function entraTokenUrl(tenantId: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/token`;
}

/**
 * Entra v1 tokens for Partner Center: `client_credentials` (app-only), or `refresh_token` (app+user, Secure
 * Application Model). Entra may hand back a new refresh token; the newest is kept in memory, added to the
 * redactor, and given to `onRefreshToken` so the caller can store it (the old one stays valid until it expires).
 */
export function createPartnerCenterTokenProvider(options: {
  transport: HttpTransport;
  tokenUrl: string;
  resource: string;
  clientId: string;
  clientSecret: Secret;
  /** App+user: the stored refresh token. Absent: app-only. */
  refreshToken?: Secret | undefined;
  onRefreshToken?: ((token: string) => void) | undefined;
  /**
   * Where the newest refresh token is shared (the Redis store when the client has `redis`): every process
   * refreshes with the latest one and saves the one Entra rotates to, under the store's lock.
   */
  store?: TokenStore | undefined;
  events: EventHub;
  redactor: Redactor;
  cache?: TokenCacheStore | undefined;
}): CachedTokenProvider {
  const { transport, tokenUrl, resource, clientId, clientSecret } = options;
  const mode = options.refreshToken ? 'app+user' : 'app';
  let refreshToken = options.refreshToken?.reveal();
  // The store record of this user grant (a hash, never a secret).
  const storeKey = hashKey('partner-center', 'refresh-token', tokenUrl, clientId, options.refreshToken?.reveal());
  return new CachedTokenProvider({
    provider: 'partner-center',
    // The original refresh token identifies the user grant: rotated ones belong to the same cache entry.
    cacheKey: hashKey(
      'partner-center',
      mode,
      tokenUrl,
      resource,
      clientId,
      clientSecret.reveal(),
      options.refreshToken?.reveal(),
    ),
    cache: options.cache,
    events: options.events,
    redactor: options.redactor,
    fetchToken: async (signal) => {
      const store = options.store;
      if (!store || !refreshToken) return fetchOnce(signal);
      return store.withLock(storeKey, async () => {
        const stored = await store.get(storeKey);
        if (stored?.refreshToken) {
          options.redactor.addToken(stored.refreshToken);
          refreshToken = stored.refreshToken;
        }
        const before = refreshToken;
        const token = await fetchOnce(signal);
        if (refreshToken && refreshToken !== before) {
          await store.set(storeKey, { refreshToken, updatedAt: new Date().toISOString() });
        }
        return token;
      });
    },
  });

  async function fetchOnce(signal?: AbortSignal) {
    const body: TokenRequest = {
      grant_type: refreshToken ? 'refresh_token' : 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret.reveal(),
      resource,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    };
    const t = await requestOAuthToken(transport, {
      provider: 'partner-center',
      tokenUrl,
      body: body as Record<string, string>,
      encoding: 'form',
      schema: TokenWire,
      signal,
    });
    // Every token the endpoint hands out is a secret, whether or not this grant uses it.
    options.redactor.addToken(t.access_token);
    if (t.refresh_token) options.redactor.addToken(t.refresh_token);
    if (refreshToken && t.refresh_token && t.refresh_token !== refreshToken) {
      refreshToken = t.refresh_token;
      options.onRefreshToken?.(t.refresh_token);
    }
    return { accessToken: t.access_token, expiresInSeconds: t.expires_in };
  }
}
