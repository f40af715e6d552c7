/**
 * Microsoft Entra ID (login.microsoftonline.com) pieces shared by the Microsoft fakes (Partner Center and
 * Graph): the token route, a book of issued tokens with expiry on the fake's clock, and Entra's error body.
 *
 * Both fakes answer on the same host with different paths (`/{tenant}/oauth2/token` for the v1 endpoint,
 * `/{tenant}/oauth2/v2.0/token` for v2.0), so the route matches its exact path instead of everything under the
 * host: two fakes registered in one msw server then never steal each other's token calls.
 */
import { getResponse, http, type HttpHandler } from 'msw';
import { type FakeRequest, fakeHandlers, type RecordedRequest } from './fake-server.js';
import type { FaultInjector } from './faults.js';
import type { Clock } from './types.js';

/** The public Entra authority host. */
export const ENTRA_AUTHORITY = 'https://login.microsoftonline.com';

/** Which Entra token endpoint a route serves. */
export type EntraEndpoint = 'v1' | 'v2.0';

/**
 * An msw handler for `POST {authorityUrl}/{tenant}/oauth2/token` (v1) or `.../oauth2/v2.0/token` (v2.0).
 * Requests are recorded in `log` and go through `faults` exactly like {@link fakeHandlers} (the fault path is
 * the path below the authority, e.g. `/contoso-tenant/oauth2/v2.0/token`).
 */
export function entraTokenHandler(options: {
  authorityUrl: string;
  endpoint: EntraEndpoint;
  faults: FaultInjector;
  log: RecordedRequest[];
  /** Called with the tenant segment of the path and the parsed request (form body as a plain object). */
  dispatch: (tenant: string, req: FakeRequest) => Promise<Response> | Response;
}): HttpHandler {
  const authority = options.authorityUrl.replace(/\/+$/, '');
  const suffix = options.endpoint === 'v1' ? '/oauth2/token' : '/oauth2/v2.0/token';
  const inner = fakeHandlers({
    baseUrl: authority,
    faults: options.faults,
    log: options.log,
    dispatch: (req) => {
      const tenant = decodeURIComponent(req.path.slice(1, req.path.length - suffix.length));
      return options.dispatch(tenant, req);
    },
  });
  return http.post(`${authority}/:tenant${suffix}`, async ({ request }) => getResponse(inner, request));
}

/** Entra's error reply (`invalid_client`, `invalid_grant`, ...) with an `AADSTS` code, as the token endpoint sends it. */
export function entraError(options: {
  status: number;
  error: string;
  aadsts: number;
  message: string;
  now: Date;
}): Response {
  const traceId = '00000000-0000-4000-8000-000000000000';
  const correlationId = '00000000-0000-4000-8000-000000000001';
  const timestamp = options.now
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return Response.json(
    {
      error: options.error,
      error_description: `AADSTS${options.aadsts}: ${options.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [options.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${options.aadsts}`,
    },
    { status: options.status },
  );
}

/** One access token a fake issued. */
export interface IssuedToken {
  accessToken: string;
  tenantId: string;
  clientId: string;
  /** The audience: a v1 `resource` or the resource part of a v2.0 `.../.default` scope. */
  audience: string;
  /** `app` for client credentials, `app+user` for a refresh-token exchange. */
  kind: 'app' | 'app+user';
  issuedAt: number;
  expiresAt: number;
}

/** Why a bearer token was refused by {@link TokenBook.verify}. */
export type TokenRefusal = 'missing' | 'malformed' | 'unknown' | 'expired' | 'audience';

/** The access tokens a fake issued, checked against the fake's clock. */
export class TokenBook {
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #now: Clock;
  readonly #prefix: string;
  #counter = 0;

  constructor(options: { now: Clock; prefix: string }) {
    this.#now = options.now;
    this.#prefix = options.prefix;
  }

  /** How many access tokens were issued. */
  get issued(): number {
    return this.#counter;
  }

  /** Issues a token valid for `lifetimeSeconds` from now. */
  issue(input: Omit<IssuedToken, 'accessToken' | 'issuedAt' | 'expiresAt'>, lifetimeSeconds: number): IssuedToken {
    this.#counter += 1;
    const issuedAt = this.#now().getTime();
    const token: IssuedToken = {
      ...input,
      accessToken: `${this.#prefix}${this.#counter}-${issuedAt.toString(36)}`,
      issuedAt,
      expiresAt: issuedAt + lifetimeSeconds * 1000,
    };
    this.#tokens.set(token.accessToken, token);
    return token;
  }

  /** Makes every token issued so far expired. */
  expireAll(): void {
    const now = this.#now().getTime();
    for (const token of this.#tokens.values()) token.expiresAt = Math.min(token.expiresAt, now - 1);
  }

  /** Checks an `Authorization` header value for `audience`. */
  verify(
    authorization: string | null,
    audience: string,
  ): { ok: true; token: IssuedToken } | { ok: false; reason: TokenRefusal } {
    if (!authorization) return { ok: false, reason: 'missing' };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) return { ok: false, reason: 'malformed' };
    const token = this.#tokens.get(match[1]);
    if (!token) return { ok: false, reason: 'unknown' };
    if (this.#now().getTime() >= token.expiresAt) return { ok: false, reason: 'expired' };
    if (token.audience !== audience) return { ok: false, reason: 'audience' };
    return { ok: true, token };
  }
}

/** A form field of a token request (the kit parses a form body into a plain object). */
export function formField(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
