import { CachedTokenProvider } from '../core/auth/cached-token-provider.js';
import { requestOAuthToken } from '../core/auth/oauth-token.js';
import type { TokenCacheStore } from '../core/auth/token-provider.js';
import type { EventHub } from '../core/events.js';
import type { HttpTransport } from '../core/http.js';
import type { Redactor, Secret } from '../core/redact.js';
import { hashKey } from '../core/sha.js';

/** The scope of an app-only Graph token. */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/**
 * Entra client credentials for Graph: `POST {authorityUrl}/{tenantId}/oauth2/v2.0/token` with a form body
 * (`client_id`, `client_secret`, `grant_type=client_credentials`, `scope`), cached per credential and tenant.
 */
export function createGraphTokenProvider(options: {
  transport: HttpTransport;
  authorityUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: Secret;
  scope?: string | undefined;
  events: EventHub;
  redactor: Redactor;
  cache?: TokenCacheStore | undefined;
}): CachedTokenProvider {
  const { transport, authorityUrl, tenantId, clientId, clientSecret } = options;
  const scope = options.scope ?? GRAPH_SCOPE;
  const tokenUrl = `${authorityUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
  return new CachedTokenProvider({
    provider: 'graph',
    cacheKey: hashKey('graph', tokenUrl, scope, clientId, clientSecret.reveal()),
    cache: options.cache,
    events: options.events,
    redactor: options.redactor,
    fetchToken: async (signal) => {
      const t = await requestOAuthToken(transport, {
        provider: 'graph',
        tokenUrl,
        body: { client_id: clientId, client_secret: clientSecret.reveal(), grant_type: 'client_credentials', scope },
        encoding: 'form',
        signal,
      });
      return { accessToken: t.access_token, expiresInSeconds: t.expires_in };
    },
  });
}
