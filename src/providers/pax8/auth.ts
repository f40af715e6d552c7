import { CachedTokenProvider } from '../../core/auth/cached-token-provider.js';
import type { TokenCacheStore } from '../../core/auth/token-provider.js';
import type { EventHub } from '../../core/events.js';
import type { HttpTransport } from '../../core/http.js';
import type { Redactor, Secret } from '../../core/redact.js';
import { hashKey } from '../../core/sha.js';
import { parseWire } from '../../core/wire.js';
import * as z from 'zod';
import type { components } from '../../../generated/pax8.js';

type TokenRequest = components['schemas']['TokenRequest'];

const TokenWire = z.looseObject({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });

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
      // Fetching a token changes nothing at the vendor, so it is retried like a read.
      const res = await transport.send({
        operation: 'token',
        method: 'POST',
        path: tokenUrl,
        json: body,
        auth: false,
        retry: 'read',
        signal,
      });
      const t = parseWire(TokenWire, res.data, 'token response', { provider: 'pax8', operation: 'token' });
      return { accessToken: t.access_token, expiresInSeconds: t.expires_in };
    },
  });
}
