import * as z from 'zod';
import type { components } from '../../../generated/partner-center.js';
import { CachedTokenProvider } from '../../core/auth/cached-token-provider.js';
import { OAuthTokenWire, requestOAuthToken } from '../../core/auth/oauth-token.js';
import type { TokenCacheStore } from '../../core/auth/token-provider.js';
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
  events: EventHub;
  redactor: Redactor;
  cache?: TokenCacheStore | undefined;
}): CachedTokenProvider {
  const { transport, tokenUrl, resource, clientId, clientSecret } = options;
  const mode = options.refreshToken ? 'app+user' : 'app';
  let refreshToken = options.refreshToken?.reveal();
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
      if (refreshToken && t.refresh_token && t.refresh_token !== refreshToken) {
        options.redactor.add(t.refresh_token);
        refreshToken = t.refresh_token;
        options.onRefreshToken?.(t.refresh_token);
      }
      return { accessToken: t.access_token, expiresInSeconds: t.expires_in };
    },
  });
}
