import * as z from 'zod';
import type { HttpTransport } from '../http.js';
import { parseWire } from '../wire.js';

/** What the SDK reads of an OAuth 2.0 token response (RFC 6749 §5.1); some endpoints send `expires_in` as a string. */
export const OAuthTokenWire = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
});

/**
 * POSTs an OAuth 2.0 token request to `tokenUrl`, form-encoded (or JSON, for vendors that want it), and checks the
 * answer against `schema` (default {@link OAuthTokenWire}). Asking for a token with a client secret or a reusable
 * refresh token changes nothing at the vendor, so it is retried like a read. (A single-use refresh token is not:
 * TD SYNNEX sends its own request, never resent.)
 */
export async function requestOAuthToken<S extends typeof OAuthTokenWire = typeof OAuthTokenWire>(
  transport: HttpTransport,
  request: {
    provider: string;
    tokenUrl: string;
    body: Record<string, string>;
    encoding: 'form' | 'json';
    schema?: S | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<z.infer<S>> {
  const res = await transport.send({
    operation: 'token',
    method: 'POST',
    path: request.tokenUrl,
    ...(request.encoding === 'json' ? { json: request.body } : { form: request.body }),
    auth: false,
    retry: 'read',
    signal: request.signal,
  });
  return parseWire(request.schema ?? OAuthTokenWire, res.data, 'token response', {
    provider: request.provider,
    operation: 'token',
  }) as z.infer<S>;
}
