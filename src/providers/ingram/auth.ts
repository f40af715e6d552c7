import { CachedTokenProvider } from '../../core/auth/cached-token-provider.js';
import type { TokenCacheStore } from '../../core/auth/token-provider.js';
import type { EventHub } from '../../core/events.js';
import type { HttpTransport } from '../../core/http.js';
import type { Redactor, Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import { parseWire } from '../../core/wire.js';
import * as z from 'zod';
import type { components } from '../../../generated/ingram.js';

type TokenRequest = components['schemas']['TokenRequest'];

const TokenWire = z.looseObject({ token: z.string().min(1), expiresInSeconds: z.coerce.number().positive() });

/**
 * Ingram Marketplace API token: `POST {base}/token` with Basic auth (the `.API` user), `X-Subscription-Key`
 * and `{ marketplace }`; about 25 minutes, no refresh token, so a new one is fetched before expiry.
 */
export function createIngramTokenProvider(options: {
  transport: HttpTransport;
  baseUrl: string;
  marketplace: string;
  username: string;
  password: Secret;
  subscriptionKey: Secret;
  events: EventHub;
  redactor: Redactor;
  cache?: TokenCacheStore | undefined;
}): CachedTokenProvider {
  const { transport, baseUrl, marketplace, username, password, subscriptionKey } = options;
  return new CachedTokenProvider({
    provider: 'ingram',
    cacheKey: hashKey('ingram', baseUrl, marketplace, username, password.reveal(), subscriptionKey.reveal()),
    cache: options.cache,
    events: options.events,
    redactor: options.redactor,
    fetchToken: async (signal) => {
      const body: TokenRequest = { marketplace };
      const basic = Buffer.from(`${username}:${password.reveal()}`, 'utf8').toString('base64');
      // Fetching a token changes nothing at the vendor, so it is retried like a read.
      const res = await transport.send({
        operation: 'token',
        method: 'POST',
        path: '/token',
        json: body,
        headers: { authorization: `Basic ${basic}`, 'x-subscription-key': subscriptionKey.reveal() },
        auth: false,
        retry: 'read',
        signal,
      });
      const t = parseWire(TokenWire, res.data, 'token response', { provider: 'ingram', operation: 'token' });
      return { accessToken: t.token, expiresInSeconds: t.expiresInSeconds };
    },
  });
}
