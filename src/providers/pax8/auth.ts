import { CachedTokenProvider } from '../../core/auth/cached-token-provider.js';
import { requestOAuthToken } from '../../core/auth/oauth-token.js';
import type { TokenCacheStore } from '../../core/auth/token-provider.js';
import type { EventHub } from '../../core/events.js';
import type { HttpTransport } from '../../core/http.js';
import type { Redactor, Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import type { components } from '../../../generated/pax8.js';

type TokenRequest = components['schemas']['TokenRequest'];

/** Pax8 OAuth client credentials: `POST {tokenUrl}` with a JSON body, cached per credential. */
export function createPax8TokenProvider(options: {
  transport: HttpTransport;
  tokenUrl: string;
  audience: string;
  clientId: string;
  clientSecret: Secret;
  events: EventHub;
  redactor: Redactor;
  cache?: TokenCacheStore | undefined;
}): CachedTokenProvider {
  const { transport, tokenUrl, audience, clientId, clientSecret } = options;
  return new CachedTokenProvider({
    provider: 'pax8',
    cacheKey: hashKey('pax8', tokenUrl, audience, clientId, clientSecret.reveal()),
    cache: options.cache,
    events: options.events,
    redactor: options.redactor,
    fetchToken: async (signal) => {
      const body: TokenRequest = {
        client_id: clientId,
        client_secret: clientSecret.reveal(),
        audience,
        grant_type: 'client_credentials',
      };
      const t = await requestOAuthToken(transport, { provider: 'pax8', tokenUrl, body, encoding: 'json', signal });
      return { accessToken: t.access_token, expiresInSeconds: t.expires_in };
    },
  });
}
