/**
 * Vendor look-alikes for the canary test: one plain `node:http` server per vendor, written from the vendor's
 * documentation (/work/shared/reference/*.md), deliberately not our msw fakes. Each one behaves like its vendor
 * where it matters for secrets (token endpoint, grant, where the credentials travel, error envelope, request-id
 * headers) and, on every answer the scenario asks for, ECHOES what it received: the Authorization header, the
 * subscription-key headers, the D&H session header, every form and JSON body field, and every token it issued.
 */
import type { IncomingMessage } from 'node:http';
import { startLookAlike as startServer } from '../helpers/lookalike.js';

/** Where the echo goes. */
export type EchoKind =
  | 'error-400'
  | 'error-401'
  | 'error-500'
  | 'ok-invalid-json'
  | 'ok-not-json'
  | 'redirect-other-origin';

/** Which requests the scenario answers with an echo: the token endpoint, or every API call (tokens succeed). */
export type EchoTarget = 'token' | 'api';

/** One scenario of a run. */
export interface Scenario {
  target: EchoTarget;
  kind: EchoKind;
}

/** What a vendor's look-alike needs to know. */
export interface VendorSpec {
  name: string;
  /** Whether this request is a token (or login) request. */
  isToken(req: IncomingMessage, path: string): boolean;
  /** The token endpoint's success body, issuing `access` (and `refresh` where the vendor rotates). */
  tokenBody(access: string, refresh: string): { type: string; body: string };
  /** Whether this token request gets a refresh token back (the vendor rotates it). */
  issuesRefresh?(form: URLSearchParams): boolean;
  /** The vendor's documented error envelope, with `echo` in every text field it has. */
  errorBody(echo: string, token: boolean, status: number): { type: string; body: string };
  /** Response headers that carry the vendor's request id. */
  requestIdHeaders: string[];
}

const json = (v: unknown) => ({ type: 'application/json', body: JSON.stringify(v) });

/** The six vendors and Graph, from their docs. */
export const VENDORS: Record<string, VendorSpec> = {
  // Pax8: POST {base}/token JSON {client_id, client_secret, audience, grant_type}; API envelope
  // {type, message, details[]} and OAuth-style token errors {error, error_description} (pax8.md 5.1, AUTHSPEC).
  pax8: {
    name: 'pax8',
    isToken: (req, path) => req.method === 'POST' && path.endsWith('/token'),
    tokenBody: (access) => json({ access_token: access, token_type: 'Bearer', expires_in: 86400 }),
    errorBody: (echo, token) =>
      token
        ? json({ error: echo, error_description: echo })
        : json({ type: echo, message: echo, instance: echo, details: [{ field: echo, message: echo }] }),
    requestIdHeaders: ['x-request-id', 'x-correlation-id'],
  },
  // D&H SimpleAPI: POST /GetSessionToken {username, password} answers the session token as a JSON string; calls
  // send `Authenticate: CCPSessionId <token>`; faults are WCF SOAP XML (Fault/Code/Value, Reason/Text,
  // Detail/ServiceException/{IsSessionExpired, IssueToken, Message}) (dandh-tdsynnex.md 1.2, D4).
  dandh: {
    name: 'dandh',
    isToken: (_req, path) => path.endsWith('/GetSessionToken'),
    tokenBody: (access) => json(access),
    errorBody: (echo) => ({
      type: 'application/xml',
      body:
        `<Fault xmlns="http://schemas.microsoft.com/ws/2005/05/envelope/none"><Code><Value>${echo}</Value></Code>` +
        `<Reason><Text xml:lang="en-US">${echo}</Text></Reason><Detail><ServiceException ` +
        `xmlns="http://schemas.datacontract.org/2004/07/Nervogrid.Platform.API"><IsSessionExpired>false</IsSessionExpired>` +
        `<IssueToken>${echo}</IssueToken><Message>${echo}</Message></ServiceException></Detail></Fault>`,
    }),
    requestIdHeaders: ['x-request-id'],
  },
  // Ingram Micro: POST {base}/token with Basic (username:password) + X-Subscription-Key, body {marketplace};
  // answers {token, expiresInSeconds}; errors {timeStamp, status, message, path, correlationId} or Spring's
  // {timestamp, status, error, path, correlationId}; X-Correlation-ID on every response (ingram.md).
  ingram: {
    name: 'ingram',
    isToken: (req, path) => req.method === 'POST' && path.endsWith('/token'),
    tokenBody: (access) => json({ token: access, expiresInSeconds: 1500 }),
    errorBody: (echo, _token, status) =>
      json({
        timeStamp: new Date().toISOString(),
        status,
        message: echo,
        error: echo,
        path: echo,
        correlationId: echo,
      }),
    requestIdHeaders: ['x-correlation-id'],
  },
  // Sherweb: client-credentials form at the token URL; calls send Bearer + Ocp-Apim-Subscription-Key; errors are
  // problem details {type, title, status, detail, extensions, errors} (sherweb.md).
  sherweb: {
    name: 'sherweb',
    isToken: (req, path) => req.method === 'POST' && path.endsWith('/connect/token'),
    tokenBody: (access) => json({ access_token: access, token_type: 'Bearer', expires_in: 3600 }),
    errorBody: (echo, token, status) =>
      token
        ? json({ error: echo, error_description: echo })
        : json({
            type: `https://api.sherweb.com/problems/${encodeURIComponent(echo)}`,
            title: echo,
            status,
            detail: echo,
            code: echo,
            instance: echo,
            extensions: { code: echo, traceId: echo },
            errors: { [echo]: [echo] },
          }),
    requestIdHeaders: ['x-request-id', 'request-id', 'x-correlation-id'],
  },
  // Partner Center: Entra v1 token endpoint (form: client_credentials, or refresh_token for app+user; may rotate
  // the refresh token); API errors {code, description, data, source}; MS-RequestId / MS-CorrelationId headers
  // (partnercenter-graph.md).
  'partner-center': {
    name: 'partner-center',
    isToken: (req, path) => req.method === 'POST' && path.endsWith('/oauth2/token'),
    tokenBody: (access, refresh) =>
      json({
        token_type: 'Bearer',
        expires_in: '3599',
        access_token: access,
        ...(refresh ? { refresh_token: refresh } : {}),
      }),
    // Entra answers a refresh token to the refresh_token grant only (not to client_credentials).
    issuesRefresh: (form) => form.get('grant_type') === 'refresh_token',
    errorBody: (echo, token) =>
      token
        ? json({ error: echo, error_description: echo, error_codes: [7000215], trace_id: echo, correlation_id: echo })
        : json({ code: echo, description: echo, data: [echo], source: echo }),
    requestIdHeaders: ['ms-requestid', 'ms-correlationid', 'ms-cv'],
  },
  // TD SYNNEX StreamOne Ion: POST /oauth/token form grant_type=refresh_token answers a new access AND refresh
  // token (single use); API errors Google-RPC style {error, message, code, details[RequestInfo{requestId}]};
  // token errors {error} with 400 (dandh-tdsynnex.md).
  'td-synnex': {
    name: 'td-synnex',
    isToken: (req, path) => req.method === 'POST' && path.endsWith('/oauth/token'),
    tokenBody: (access, refresh) =>
      json({ access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: 7200 }),
    issuesRefresh: () => true,
    errorBody: (echo, token) =>
      token
        ? json({ error: echo })
        : json({
            error: echo,
            message: echo,
            code: 3,
            details: [
              { '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: echo },
              { errors: [{ code: echo, detail: echo }] },
            ],
          }),
    requestIdHeaders: ['x-request-id'],
  },
  // Microsoft Graph: Entra v2 token endpoint {authority}/{tenant}/oauth2/v2.0/token (client_credentials form);
  // errors {error: {code, message, innerError}}; request-id / client-request-id headers (partnercenter-graph.md).
  graph: {
    name: 'graph',
    isToken: (req, path) => req.method === 'POST' && path.endsWith('/oauth2/v2.0/token'),
    tokenBody: (access) => json({ token_type: 'Bearer', expires_in: 3599, access_token: access }),
    errorBody: (echo, token) =>
      token
        ? json({ error: echo, error_description: echo, error_codes: [7000215] })
        : json({ error: { code: echo, message: echo, innerError: { 'request-id': echo, date: echo } } }),
    requestIdHeaders: ['request-id', 'client-request-id'],
  },
};

/** Credential headers a vendor receives (the values are echoed whole: `Basic ...`, `Bearer ...`, keys). */
const CREDENTIAL_HEADERS = ['authorization', 'x-subscription-key', 'ocp-apim-subscription-key', 'authenticate'];

/** A running look-alike. */
export interface LookAlike {
  readonly url: string;
  /** The scenario every following request is answered with (setting it forgets what was received before). */
  scenario: Scenario;
  /** Every token this server issued (access and refresh), for the detector. */
  readonly issued: Set<string>;
  /** How many requests it answered. */
  requests: number;
  /** Where `redirect-other-origin` points (a second server that must never be reached). */
  redirectTo: string;
  close(): Promise<void>;
}

/** Every string a request carried that could be a credential: headers, form fields, JSON fields (any depth). */
function credentialsIn(req: IncomingMessage, body: string): string[] {
  const out: string[] = [];
  for (const h of CREDENTIAL_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') out.push(v);
  }
  if (!body) return out;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body)) if (k !== 'grant_type') out.push(v);
    return out;
  }
  try {
    const visit = (v: unknown): void => {
      if (typeof v === 'string') out.push(v);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) visit(x);
    };
    visit(JSON.parse(body));
  } catch {
    out.push(body);
  }
  return out;
}

/** Starts the look-alike of `spec` on 127.0.0.1; issued tokens are `CANARY-<vendor>-...-<suffix>`. */
export async function startLookAlike(spec: VendorSpec, suffix: string): Promise<LookAlike> {
  let n = 0;
  // What it has received so far (credentials) and issued (tokens): all of it goes into every echo.
  const seen = new Set<string>();
  let scenario: Scenario = { target: 'api', kind: 'error-400' };
  const state: LookAlike = {
    url: '',
    get scenario() {
      return scenario;
    },
    set scenario(next: Scenario) {
      // Each scenario's clients have their own canaries: the echo carries what this scenario's clients sent.
      scenario = next;
      seen.clear();
    },
    issued: new Set(),
    requests: 0,
    redirectTo: 'http://127.0.0.1:9/',
    close: async () => {},
  };
  const server = await startServer((received, res, req) => {
    state.requests += 1;
    const body = received.body;
    const path = received.path;
    for (const c of credentialsIn(req, body)) seen.add(c);
    const token = spec.isToken(req, path);
    const echoing = state.scenario.target === (token ? 'token' : 'api');
    if (token && !echoing) {
      n += 1;
      const access = `CANARY-${spec.name}-issuedAccessToken-${n}-${suffix}`;
      const rotates = spec.issuesRefresh?.(new URLSearchParams(body)) ?? false;
      const refresh = rotates ? `CANARY-${spec.name}-issuedRefreshToken-${n}-${suffix}` : '';
      state.issued.add(access);
      seen.add(access);
      if (refresh) {
        state.issued.add(refresh);
        seen.add(refresh);
      }
      const t = spec.tokenBody(access, refresh);
      res.writeHead(200, { 'content-type': t.type });
      res.end(t.body);
      return;
    }
    // The echo: everything received and issued, the credentials in the first characters.
    const echo = [...seen].join(' | ');
    const headers: Record<string, string> = {};
    // Header values must be plain ASCII without newlines; the canaries are.
    for (const h of spec.requestIdHeaders) headers[h] = echo.replace(/[^\x20-\x7e]/g, '?');
    const kind = state.scenario.kind;
    if (kind === 'ok-invalid-json') {
      // A 2xx that fails validation: every field the SDK might read holds the echo (strings where numbers go).
      const v = {
        access_token: 42,
        token: 42,
        expires_in: echo,
        expiresInSeconds: echo,
        content: echo,
        page: echo,
        items: echo,
        data: echo,
        value: echo,
        totalCount: echo,
        pagination: echo,
        id: 42,
        quantity: echo,
        status: echo,
        [echo]: echo,
      };
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(spec.name === 'dandh' && token ? 42 : v));
      return;
    }
    if (kind === 'ok-not-json') {
      res.writeHead(200, { 'content-type': 'text/html', ...headers });
      res.end(`${echo}<html><body>maintenance</body></html>`);
      return;
    }
    if (kind === 'redirect-other-origin') {
      res.writeHead(307, { location: `${state.redirectTo}leak?echo=${encodeURIComponent(echo)}`, ...headers });
      res.end();
      return;
    }
    const status = kind === 'error-401' ? 401 : kind === 'error-500' ? 500 : 400;
    const e = spec.errorBody(echo, token, status);
    res.writeHead(status, { 'content-type': e.type, ...headers });
    res.end(e.body);
  });
  Object.assign(state, { url: server.url, close: server.close });
  return state;
}

/** A server that must never be reached (the other origin of redirects); counts what reaches it. */
export async function startTrap(): Promise<{ url: string; hits: number; close(): Promise<void> }> {
  const trap = { url: '', hits: 0, close: async () => {} };
  const server = await startServer((_seen, res) => {
    trap.hits += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  trap.url = `${server.url}/`;
  trap.close = server.close;
  return trap;
}
