/**
 * A stateful msw fake of the Microsoft Graph v1.0 licence calls (`subscribedSkus`, `users`, `assignLicense`,
 * `licenseDetails`) and of the Entra v2.0 token endpoint. See docs/providers/graph.md ("The fake").
 */
import type { HttpHandler } from 'msw';
import { ENTRA_AUTHORITY, TokenBook, entraError, entraTokenHandler, formField } from '../kit/entra.js';
import { type FakeRequest, type RecordedRequest, fakeHandlers } from '../kit/fake-server.js';
import { FaultInjector, createRandom } from '../kit/faults.js';
import { RateWindow } from '../kit/rate-window.js';
import type { Clock, VendorFake } from '../kit/types.js';
import { uuidFrom } from '../partner-center/state.js';
import { GRAPH_SEED_IDS, seedGraphState } from './seed.js';
import {
  type AddGraphSkuInput,
  type AddGraphUserInput,
  GRAPH_DEFAULT_USER_PROPERTIES,
  type GraphAssignedLicense,
  type GraphState,
  type GraphSubscribedSku,
  type GraphTenant,
  type GraphUser,
  addGraphSku,
  addGraphTenant,
  addGraphUser,
  createGraphState,
  findGraphUser,
} from './state.js';

/** The Graph v1.0 root. */
export const GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';

/** The audience of Graph tokens; the client-credentials scope is `${GRAPH_RESOURCE}/.default`. */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

/** What the fake accepts at the Entra v2.0 token endpoint. */
export interface GraphFakeCredentials {
  /** The tenant to ask tokens for by default (any tenant in the state is accepted: a consented multi-tenant app). */
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** Default fake credentials (the tenant is Contoso's). */
export const GRAPH_FAKE_CREDENTIALS: GraphFakeCredentials = {
  tenantId: GRAPH_SEED_IDS.contosoTenant,
  clientId: 'fake-graph-app-id',
  clientSecret: 'fake-graph-app-secret',
};

/** Options of {@link createGraphFake}. */
export interface GraphFakeOptions {
  /** Graph base URL including `/v1.0` (default {@link GRAPH_BASE_URL}). */
  baseUrl?: string;
  /** Entra authority; the token endpoint is `{authorityUrl}/{tenant}/oauth2/v2.0/token`. */
  authorityUrl?: string;
  credentials?: Partial<GraphFakeCredentials>;
  /** The fake's clock (token expiry, scheduled seat changes). Default `() => new Date()`. */
  now?: Clock;
  /** Seed the Contoso tenant (default true). */
  seed?: boolean;
  /** Answer 429 over `limit` requests per `windowMs` (per tenant); `retryAfter: false` omits `Retry-After`. */
  rateLimit?: { limit: number; windowMs: number; retryAfter?: boolean };
  faultSeed?: number;
  /** Access token lifetime (default 3599 s). */
  tokenLifetimeSeconds?: number;
  /** `GET /users` page size without `$top` (default 100, as Graph). */
  pageSize?: number;
  /**
   * `GET /users/{id}/licenseDetails`: `'refused'` (default) answers 403 as Graph does for the application-only
   * tokens this fake issues (Microsoft documents the call as not supported with application permissions);
   * `'served'` answers it as with a delegated token. `GET /users/{id}?$select=assignedLicenses` always works.
   */
  licenseDetails?: 'refused' | 'served';
}

/** A state-changing request the fake applied. */
export interface GraphAppliedWrite {
  method: string;
  path: string;
  tenantId: string;
  body: unknown;
  at: string;
}

/** The Graph fake. */
export interface GraphFake extends VendorFake<GraphState, GraphFakeCredentials> {
  readonly provider: 'graph';
  readonly authorityUrl: string;
  /** The v2.0 token URL of the default tenant. */
  readonly tokenUrl: string;
  readonly issuedTokens: number;
  readonly appliedWrites: GraphAppliedWrite[];
  readonly rateLimited: number;
  /** Makes every issued token expire now (the next call gets 401 and must re-authenticate). */
  expireAllTokens(): void;
  /** Sets `prepaidUnits.enabled` of a SKU now (what a marketplace purchase eventually causes). */
  setEnabledUnits(skuId: string, enabled: number, tenantId?: string): void;
  /** Sets `prepaidUnits.enabled` once the fake's clock is `afterMs` past now (seats appearing after a purchase). */
  scheduleEnabledUnits(skuId: string, enabled: number, afterMs: number, tenantId?: string): void;
  /** Applies every scheduled seat change now; returns how many. */
  completeAll(): number;
  /** A tenant (default: the credentials' tenant). */
  tenant(tenantId?: string): GraphTenant;
  /** A SKU of a tenant. */
  sku(skuId: string, tenantId?: string): GraphSubscribedSku;
  /** Free seats of a SKU (`prepaidUnits.enabled - consumedUnits`). */
  freeUnits(skuId: string, tenantId?: string): number;
  /** Adds a customer tenant. */
  addTenant(input: { id: string; displayName: string }): GraphTenant;
  /** Adds a subscribed SKU to a tenant (the default tenant when omitted). */
  addSku(input: AddGraphSkuInput, tenantId?: string): GraphSubscribedSku;
  /** Adds a user to a tenant (the default tenant when omitted). */
  addUser(input: AddGraphUserInput, tenantId?: string): GraphUser;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Creates the fake. Register `fake.handlers` with msw's `setupServer`; they answer on `baseUrl` and on the Entra
 * v2.0 token path only, so the Partner Center fake (Entra v1 path) can run in the same server.
 */
export function createGraphFake(options: GraphFakeOptions = {}): GraphFake {
  const baseUrl = (options.baseUrl ?? GRAPH_BASE_URL).replace(/\/+$/, '');
  const authorityUrl = (options.authorityUrl ?? ENTRA_AUTHORITY).replace(/\/+$/, '');
  const credentials: GraphFakeCredentials = { ...GRAPH_FAKE_CREDENTIALS, ...options.credentials };
  const now: Clock = options.now ?? (() => new Date());
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  const pageSize = options.pageSize ?? 100;
  const faults = new FaultInjector(options.faultSeed ?? 1);
  const requests: RecordedRequest[] = [];
  const tokens = new TokenBook({ now, prefix: 'fake-graph-access-' });
  const state = createGraphState();
  if (options.seed !== false) seedGraphState(state);
  const rateWindow = options.rateLimit
    ? new RateWindow({
        limit: options.rateLimit.limit,
        windowMs: options.rateLimit.windowMs,
        now: () => now().getTime(),
      })
    : undefined;
  const random = createRandom(0x6a9f);
  const appliedWrites: GraphAppliedWrite[] = [];
  const skipTokens = new Map<string, { tenantId: string; offset: number; top: number; select: string | null }>();

  const tenantOf = (tenantId?: string): GraphTenant => {
    const tenant = state.tenants.get(tenantId ?? credentials.tenantId);
    if (!tenant) throw new Error(`unknown tenant ${tenantId ?? credentials.tenantId}`);
    return tenant;
  };
  const skuOf = (skuId: string, tenantId?: string): GraphSubscribedSku => {
    settleScheduled();
    const sku = tenantOf(tenantId).skus.get(skuId);
    if (!sku) throw new Error(`unknown sku ${skuId}`);
    return sku;
  };

  const settleScheduled = (all = false): number => {
    const t = now().getTime();
    let applied = 0;
    for (const tenant of state.tenants.values()) {
      tenant.scheduled = tenant.scheduled.filter((change) => {
        if (!all && change.at.getTime() > t) return true;
        const sku = tenant.skus.get(change.skuId);
        if (sku) sku.prepaidUnits.enabled = change.enabled;
        applied += 1;
        return false;
      });
    }
    return applied;
  };

  // ---------- replies ----------

  const graphError = (status: number, code: string, message: string, requestId: string): Reply => ({
    status,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: now()
            .toISOString()
            .replace(/\.\d+Z$/, ''),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
  });

  const select = (user: GraphUser, selectParam: string | null): Record<string, unknown> => {
    const fields = selectParam
      ? selectParam
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean)
      : [...GRAPH_DEFAULT_USER_PROPERTIES];
    const source = user as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      const key = Object.keys(source).find((k) => k.toLowerCase() === field.toLowerCase());
      out[key ?? field] = key ? source[key] : null;
    }
    return out;
  };

  const queryOption = (query: URLSearchParams, name: string): string | null => query.get(`$${name}`) ?? query.get(name);

  // ---------- handlers ----------

  const listUsers = (req: FakeRequest, tenant: GraphTenant, requestId: string): Reply => {
    if (queryOption(req.query, 'filter') !== null || queryOption(req.query, 'search') !== null) {
      return graphError(
        400,
        'Request_UnsupportedQuery',
        'This fake does not support $filter or $search on users.',
        requestId,
      );
    }
    const skip = queryOption(req.query, 'skiptoken');
    let offset = 0;
    let top = pageSize;
    let selectParam = queryOption(req.query, 'select');
    if (skip !== null) {
      const entry = skipTokens.get(skip);
      if (!entry || entry.tenantId !== tenant.id) {
        return graphError(
          400,
          'Directory_ExpiredPageToken',
          'The specified page token value has expired and can no longer be included in your request.',
          requestId,
        );
      }
      ({ offset, top } = entry);
      selectParam = entry.select;
    } else {
      const rawTop = queryOption(req.query, 'top');
      if (rawTop !== null) {
        const parsed = Number(rawTop);
        if (!Number.isInteger(parsed) || parsed < 1 || parsed > 999) {
          return graphError(
            400,
            'Request_UnsupportedQuery',
            `Invalid page size specified: '${rawTop}'. Must be between 1 and 999 inclusive.`,
            requestId,
          );
        }
        top = parsed;
      }
    }
    const value = tenant.users.slice(offset, offset + top).map((u) => select(u, selectParam));
    const body: Record<string, unknown> = {
      '@odata.context': `${baseUrl}/$metadata#users${selectParam ? `(${selectParam})` : ''}`,
      value,
    };
    if (offset + top < tenant.users.length) {
      const token = `RFNwdAIA${Buffer.from(`${tenant.id}:${offset + top}:${Math.floor(random() * 1e9)}`).toString('base64url')}`;
      skipTokens.set(token, { tenantId: tenant.id, offset: offset + top, top, select: selectParam });
      const params = new URLSearchParams();
      params.set('$top', String(top));
      if (selectParam) params.set('$select', selectParam);
      params.set('$skiptoken', token);
      body['@odata.nextLink'] = `${baseUrl}/users?${params.toString()}`;
    }
    return { status: 200, body };
  };

  const userNotFound = (id: string, requestId: string): Reply =>
    graphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      requestId,
    );

  const assignLicense = (req: FakeRequest, tenant: GraphTenant, user: GraphUser, requestId: string): Reply => {
    const body = req.body as { addLicenses?: unknown; removeLicenses?: unknown } | undefined;
    if (!body || typeof body !== 'object') {
      return graphError(400, 'Request_BadRequest', 'Empty Payload. JSON content expected.', requestId);
    }
    for (const name of ['addLicenses', 'removeLicenses'] as const) {
      if (!Array.isArray(body[name])) {
        return graphError(
          400,
          'Request_BadRequest',
          `Invalid value specified for property '${name}' of resource 'User'.`,
          requestId,
        );
      }
    }
    const adds: GraphAssignedLicense[] = [];
    for (const raw of body.addLicenses as unknown[]) {
      const item = raw as { skuId?: unknown; disabledPlans?: unknown } | null;
      const skuId = typeof item?.skuId === 'string' ? item.skuId.toLowerCase() : '';
      if (!GUID.test(skuId)) {
        return graphError(
          400,
          'Request_BadRequest',
          "Invalid value specified for property 'skuId' of resource 'AssignedLicense'.",
          requestId,
        );
      }
      const disabledPlans = Array.isArray(item?.disabledPlans)
        ? item.disabledPlans.filter((p): p is string => typeof p === 'string')
        : [];
      adds.push({ skuId, disabledPlans });
    }
    const removes = (body.removeLicenses as unknown[]).map((r) => (typeof r === 'string' ? r.toLowerCase() : ''));
    for (const skuId of [...adds.map((a) => a.skuId), ...removes]) {
      const sku = tenant.skus.get(skuId);
      if (!sku || sku.capabilityStatus === 'Deleted') {
        return graphError(
          400,
          'Request_BadRequest',
          `License ${skuId} does not correspond to a valid company License.`,
          requestId,
        );
      }
    }
    for (const skuId of removes) {
      if (!user.assignedLicenses.some((l) => l.skuId === skuId)) {
        return graphError(400, 'Request_BadRequest', 'User does not have a corresponding license.', requestId);
      }
    }
    const newAdds = adds.filter((a) => !user.assignedLicenses.some((l) => l.skuId === a.skuId));
    if (newAdds.length > 0 && !user.usageLocation) {
      return graphError(
        400,
        'Request_BadRequest',
        'License assignment cannot be done for user with invalid usage location.',
        requestId,
      );
    }
    for (const add of newAdds) {
      const sku = tenant.skus.get(add.skuId);
      if (!sku) continue;
      const freed = removes.includes(add.skuId) ? 1 : 0;
      if (sku.capabilityStatus !== 'Enabled' || sku.consumedUnits - freed >= sku.prepaidUnits.enabled) {
        return graphError(
          400,
          'Request_BadRequest',
          `Subscription with SKU ${add.skuId} does not have any available licenses.`,
          requestId,
        );
      }
    }
    // Apply: removals first (a swap in one call frees the seat it takes).
    for (const skuId of removes) {
      user.assignedLicenses = user.assignedLicenses.filter((l) => l.skuId !== skuId);
      const sku = tenant.skus.get(skuId);
      if (sku) sku.consumedUnits = Math.max(0, sku.consumedUnits - 1);
    }
    for (const add of adds) {
      const existing = user.assignedLicenses.find((l) => l.skuId === add.skuId);
      if (existing) {
        existing.disabledPlans = add.disabledPlans;
        continue;
      }
      user.assignedLicenses.push(add);
      const sku = tenant.skus.get(add.skuId);
      if (sku) sku.consumedUnits += 1;
    }
    appliedWrites.push({
      method: req.method,
      path: req.path,
      tenantId: tenant.id,
      body: req.body,
      at: now().toISOString(),
    });
    return {
      status: 200,
      body: { '@odata.context': `${baseUrl}/$metadata#users/$entity`, ...select(user, null) },
    };
  };

  const licenseDetails = (tenant: GraphTenant, user: GraphUser): Reply => ({
    status: 200,
    body: {
      '@odata.context': `${baseUrl}/$metadata#users('${user.id}')/licenseDetails`,
      value: user.assignedLicenses.map((license) => {
        const sku = tenant.skus.get(license.skuId);
        return {
          id: Buffer.from(`${user.id}:${license.skuId}`).toString('base64url').slice(0, 43),
          skuId: license.skuId,
          skuPartNumber: sku?.skuPartNumber ?? null,
          servicePlans: (sku?.servicePlans ?? []).map((p) => ({
            ...p,
            provisioningStatus: license.disabledPlans.includes(p.servicePlanId) ? 'Disabled' : 'Success',
          })),
        };
      }),
    },
  });

  const patchUser = (req: FakeRequest, tenant: GraphTenant, user: GraphUser, requestId: string): Reply => {
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return graphError(400, 'Request_BadRequest', 'Empty Payload. JSON content expected.', requestId);
    }
    const patch = body as Record<string, unknown>;
    if ('usageLocation' in patch) {
      const loc = patch.usageLocation;
      if (loc !== null && (typeof loc !== 'string' || !/^[A-Za-z]{2}$/.test(loc))) {
        return graphError(
          400,
          'Request_BadRequest',
          "Invalid value specified for property 'usageLocation' of resource 'User'.",
          requestId,
        );
      }
      user.usageLocation = typeof loc === 'string' ? loc.toUpperCase() : null;
    }
    for (const key of ['displayName', 'givenName', 'surname', 'jobTitle', 'officeLocation', 'mobilePhone'] as const) {
      const value = patch[key];
      if (typeof value === 'string') user[key] = value;
    }
    if (typeof patch.accountEnabled === 'boolean') user.accountEnabled = patch.accountEnabled;
    appliedWrites.push({ method: req.method, path: req.path, tenantId: tenant.id, body, at: now().toISOString() });
    return { status: 204 };
  };

  const route = (req: FakeRequest, tenant: GraphTenant, requestId: string): Reply => {
    const method = req.method.toUpperCase();
    const segments = req.path.replace(/\/+$/, '').split('/').filter(Boolean).map(decodeURIComponent);
    const [root, id, action, ...rest] = segments;
    const notAllowed = (): Reply =>
      graphError(405, 'Request_BadRequest', `The HTTP method '${method}' is not allowed.`, requestId);
    const lowerRoot = root?.toLowerCase();
    if (lowerRoot === 'subscribedskus') {
      if (method !== 'GET') return notAllowed();
      if (queryOption(req.query, 'filter') !== null) {
        return graphError(400, 'Request_UnsupportedQuery', 'Filter is not supported on subscribedSkus.', requestId);
      }
      if (id === undefined) {
        return {
          status: 200,
          body: { '@odata.context': `${baseUrl}/$metadata#subscribedSkus`, value: [...tenant.skus.values()] },
        };
      }
      const sku = [...tenant.skus.values()].find((s) => s.id.toLowerCase() === id.toLowerCase());
      if (!sku || action !== undefined) return userNotFound(id, requestId);
      return { status: 200, body: { '@odata.context': `${baseUrl}/$metadata#subscribedSkus/$entity`, ...sku } };
    }
    if (lowerRoot !== 'users') {
      return graphError(400, 'BadRequest', `Resource not found for the segment '${root ?? ''}'.`, requestId);
    }
    if (id === undefined) return method === 'GET' ? listUsers(req, tenant, requestId) : notAllowed();
    const user = findGraphUser(tenant, id);
    if (!user) return userNotFound(id, requestId);
    if (action === undefined) {
      if (method === 'GET') {
        const selectParam = queryOption(req.query, 'select');
        return {
          status: 200,
          body: { '@odata.context': `${baseUrl}/$metadata#users/$entity`, ...select(user, selectParam) },
        };
      }
      if (method === 'PATCH') return patchUser(req, tenant, user, requestId);
      return notAllowed();
    }
    if (rest.length > 0)
      return graphError(400, 'BadRequest', `Resource not found for the segment '${rest[0]}'.`, requestId);
    const lowerAction = action.toLowerCase();
    if (lowerAction === 'assignlicense' || lowerAction === 'microsoft.graph.assignlicense') {
      return method === 'POST' ? assignLicense(req, tenant, user, requestId) : notAllowed();
    }
    if (lowerAction === 'licensedetails') {
      if (method !== 'GET') return notAllowed();
      if ((options.licenseDetails ?? 'refused') === 'refused') {
        return graphError(
          403,
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
          requestId,
        );
      }
      return licenseDetails(tenant, user);
    }
    return graphError(400, 'BadRequest', `Resource not found for the segment '${action}'.`, requestId);
  };

  const dispatch = (req: FakeRequest): Response => {
    settleScheduled();
    const requestId = uuidFrom(random);
    const clientRequestId = req.headers.get('client-request-id') ?? requestId;
    const headers: Record<string, string> = {
      'request-id': requestId,
      'client-request-id': clientRequestId,
      'x-ms-ags-diagnostic':
        '{"ServerInfo":{"DataCenter":"Fake","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"FAKE"}}',
    };
    const toResponse = (reply: Reply): Response => {
      const h = new Headers({ ...headers, ...reply.headers });
      if (reply.body === undefined) return new Response(null, { status: reply.status, headers: h });
      h.set(
        'Content-Type',
        'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
      );
      return new Response(JSON.stringify(reply.body), { status: reply.status, headers: h });
    };
    const auth = tokens.verify(req.headers.get('authorization'), GRAPH_RESOURCE);
    if (!auth.ok) {
      const message =
        auth.reason === 'missing'
          ? 'Access token is empty.'
          : auth.reason === 'expired'
            ? 'Lifetime validation failed, the token is expired.'
            : auth.reason === 'audience'
              ? 'Access token validation failure. Invalid audience.'
              : 'Access token validation failure.';
      const reply = graphError(401, 'InvalidAuthenticationToken', message, requestId);
      reply.headers = {
        'WWW-Authenticate': `Bearer realm="", authorization_uri="${authorityUrl}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
      };
      return toResponse(reply);
    }
    const tenant = state.tenants.get(auth.token.tenantId);
    if (!tenant)
      return toResponse(graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.', requestId));
    if (rateWindow) {
      const taken = rateWindow.take(tenant.id);
      if (!taken.ok) {
        const reply = graphError(429, 'TooManyRequests', 'Too many requests.', requestId);
        reply.headers =
          options.rateLimit?.retryAfter === false ? {} : { 'Retry-After': String(taken.retryAfterSeconds) };
        return toResponse(reply);
      }
    }
    return toResponse(route(req, tenant, requestId));
  };

  // ---------- Entra v2.0 token endpoint ----------

  const tokenDispatch = (tenantSegment: string, req: FakeRequest): Response => {
    const at = now();
    const body = req.body;
    const err = (status: number, error: string, aadsts: number, message: string) =>
      entraError({ status, error, aadsts, message, now: at });
    const grant = formField(body, 'grant_type');
    if (!grant) {
      return err(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    }
    const tenant = [...state.tenants.values()].find((t) => t.id.toLowerCase() === tenantSegment.toLowerCase());
    if (!tenant) {
      return err(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID.`,
      );
    }
    const clientId = formField(body, 'client_id');
    if (!clientId) {
      return err(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    }
    if (clientId !== credentials.clientId) {
      return err(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenantSegment}'.`,
      );
    }
    if (grant !== 'client_credentials') {
      return err(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
    }
    if (formField(body, 'client_secret') !== credentials.clientSecret) {
      return err(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    const scope = formField(body, 'scope');
    if (!scope) {
      return err(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    }
    if (!scope.endsWith('/.default')) {
      return err(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const token = tokens.issue(
      { tenantId: tenant.id, clientId, audience: scope.slice(0, -'/.default'.length), kind: 'app' },
      lifetime,
    );
    return Response.json({
      token_type: 'Bearer',
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: token.accessToken,
    });
  };

  const handlers: HttpHandler[] = [
    entraTokenHandler({ authorityUrl, endpoint: 'v2.0', faults, log: requests, dispatch: tokenDispatch }),
    ...fakeHandlers({ baseUrl, faults, log: requests, dispatch }),
  ];

  return {
    provider: 'graph',
    baseUrl,
    authorityUrl,
    tokenUrl: `${authorityUrl}/${credentials.tenantId}/oauth2/v2.0/token`,
    handlers,
    state,
    faults,
    requests,
    credentials,
    get issuedTokens() {
      return tokens.issued;
    },
    appliedWrites,
    get rateLimited() {
      return rateWindow?.rejected ?? 0;
    },
    expireAllTokens: () => tokens.expireAll(),
    setEnabledUnits: (skuId, enabled, tenantId) => {
      skuOf(skuId, tenantId).prepaidUnits.enabled = enabled;
    },
    scheduleEnabledUnits: (skuId, enabled, afterMs, tenantId) => {
      skuOf(skuId, tenantId);
      tenantOf(tenantId).scheduled.push({ skuId, enabled, at: new Date(now().getTime() + afterMs) });
    },
    completeAll: () => settleScheduled(true),
    tenant: tenantOf,
    sku: skuOf,
    freeUnits: (skuId, tenantId) => {
      const sku = skuOf(skuId, tenantId);
      return sku.prepaidUnits.enabled - sku.consumedUnits;
    },
    addTenant: (input) => addGraphTenant(state, input),
    addSku: (input, tenantId) => addGraphSku(tenantOf(tenantId), input),
    addUser: (input, tenantId) => addGraphUser(tenantOf(tenantId), input),
  };
}
