import type { components } from '../../../generated/sherweb.js';
import { CachedTokenProvider } from '../../core/auth/cached-token-provider.js';
import { requestOAuthToken } from '../../core/auth/oauth-token.js';
import type { TokenCacheStore } from '../../core/auth/token-provider.js';
import type { EventHub } from '../../core/events.js';
import type { HttpTransport } from '../../core/http.js';
import type { Redactor, Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';

type TokenRequest = components['schemas']['TokenRequest'];

/**
 * Sherweb OAuth client credentials: form-encoded `POST {tokenUrl}` with `scope`, cached per credential. The
 * subscription key is not sent here (Sherweb's own Postman collection sends none); it goes on every API call.
 */
export function createSherwebTokenProvider(options: {
  transport: HttpTransport;
  tokenUrl: string;
  scope: string;
  clientId: string;
  clientSecret: Secret;
  events: EventHub;
  redactor: Redactor;
  cache?: TokenCacheStore | undefined;
}): CachedTokenProvider {
  const { transport, tokenUrl, scope, clientId, clientSecret } = options;
  return new CachedTokenProvider({
    provider: 'sherweb',
    cacheKey: hashKey('sherweb', tokenUrl, scope, clientId, clientSecret.reveal()),
    cache: options.cache,
    events: options.events,
    redactor: options.redactor,
    fetchToken: async (signal) => {
      const body: TokenRequest = {
        client_id: clientId,
        client_secret: clientSecret.reveal(),
        scope,
        grant_type: 'client_credentials',
      };
      const t = await requestOAuthToken(transport, { provider: 'sherweb', tokenUrl, body, encoding: 'form', signal });
      return { accessToken: t.access_token, expiresInSeconds: t.expires_in };
    },
  });
}
