import { createRandom, FaultInjector } from '../kit/faults.js';
import { type FakeRequest, fakeHandlers, type RecordedRequest } from '../kit/fake-server.js';
import { RateWindow } from '../kit/rate-window.js';
import type { Clock, VendorFake } from '../kit/types.js';
import { randomUuid, seedSherweb } from './seed.js';
import {
  type SherwebAmendmentStatus,
  type SherwebAppliedWrite,
  type SherwebOperation,
  type SherwebOperationItem,
  type SherwebOperationKind,
  type SherwebState,
  type SherwebSubscriptionRecord,
  SHERWEB_GRACE_DAYS,
  commitmentFor,
  createSherwebState,
  minimalQuantityNow,
  sherwebDateTime,
} from './state.js';
import { sherwebBillingRoute } from './billing.js';

/** Default Service Provider API base URL. */
export const SHERWEB_DEFAULT_BASE_URL = 'https://api.sherweb.com/service-provider/v1';
/** Default token endpoint. */
export const SHERWEB_DEFAULT_TOKEN_URL = 'https://api.sherweb.com/auth/oidc/connect/token';

/** Credentials the Sherweb fake accepts. */
export interface SherwebCredentials {
  clientId: string;
  clientSecret: string;
  /** The APIM `Ocp-Apim-Subscription-Key`. */
  subscriptionKey: string;
}

/** Default fake credentials. */
export const SHERWEB_FAKE_CREDENTIALS: Readonly<SherwebCredentials> = {
  clientId: 'fake-sherweb-client-id',
  clientSecret: 'fake-sherweb-client-secret',
  subscriptionKey: 'fake-sherweb-subscription-key',
};

/**
 * Where the fake puts the tracking id in the answer of an amendment, cancellation or order:
 * `as-observed` (default): amendments answer `{ subscriptionsAmendmentId, trackingId: { requestTrackingId } }`,
 * cancellations and orders answer `{ requestTrackingId }`; `nested` / `top-level` force one shape everywhere
 * (amendments keep `subscriptionsAmendmentId`).
 */
export type SherwebTrackingIdShape = 'as-observed' | 'nested' | 'top-level';

/** Options of {@link createSherwebFake}. */
export interface SherwebFakeOptions {
  baseUrl?: string;
  tokenUrl?: string;
  credentials?: Partial<SherwebCredentials>;
  /** Clock; `() => new Date()` by default. {@link SherwebFake.advance} moves it forward on top of this. */
  now?: Clock;
  /** Seed Contoso Ltd and the other customers (default true). */
  seed?: boolean;
  /** APIM-style rate limit per subscription key. `retryAfter` adds a `Retry-After` header (default false). */
  rateLimit?: { limit: number; windowMs: number; retryAfter?: boolean };
  faultSeed?: number;
  /** `expires_in` of issued tokens (default 3600). */
  tokenLifetimeSeconds?: number;
  /** How long a tracked request takes to complete on the clock (default 5000 ms). */
  processingMs?: number;
  trackingIdShape?: SherwebTrackingIdShape;
}

/** The Sherweb fake: a {@link VendorFake} plus helpers to drive time and asynchronous requests. */
export interface SherwebFake extends VendorFake<SherwebState, SherwebCredentials> {
  readonly provider: 'sherweb';
  readonly tokenUrl: string;
  /** How many tokens were issued. */
  readonly issuedTokens: number;
  /** State-changing requests the fake accepted, in order. */
  readonly appliedWrites: SherwebAppliedWrite[];
  /** How many requests were refused by the rate limit. */
  readonly rateLimited: number;
  /** The rate window when `rateLimit` is on. */
  readonly rateWindow: RateWindow | undefined;
  /** The fake's current time. */
  now(): Date;
  /** Moves the fake's clock forward by `ms` and completes what became due. */
  advance(ms: number): void;
  /** Makes every issued token expired. */
  expireAllTokens(): void;
  /** Tracked requests not finished yet. */
  pendingOperations(): SherwebOperation[];
  /** Completes one tracked request now; `failure` fails every line of it. */
  complete(trackingId: string, outcome?: 'success' | 'failure'): SherwebOperation;
  /** Completes every pending tracked request now. */
  completeAll(): void;
  /** The next processed request line on this subscription id (or SKU, for orders) fails (once per call). */
  markFailing(subscriptionIdOrSku: string): void;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;
const PROBLEM_BASE = 'https://api.sherweb.com/service-provider/problems/';

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

/** An RFC 7807 problem details answer. */
function problem(
  status: number,
  type: string,
  title: string,
  detail: string,
  instance: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const body = { type, title, status, detail, instance, extensions };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json; charset=utf-8', ...headers },
  });
}

function validationProblem(req: FakeRequest, field: string, message: string): Response {
  return problem(
    400,
    'https://tools.ietf.org/html/rfc7231#section-6.5.1',
    'One or more validation errors occurred.',
    message,
    req.path,
    { errors: { [field]: [message] } },
  );
}

function businessProblem(
  req: FakeRequest,
  status: number,
  slug: string,
  title: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): Response {
  const code = slug.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase());
  return problem(status, PROBLEM_BASE + slug, title, detail, req.path, { code, ...extensions });
}

/** APIM's own answer (not a problem details body): missing/invalid key, unknown route, rate limit. */
function apim(status: number, message: string, headers: Record<string, string> = {}): Response {
  return json({ statusCode: status, message }, status, headers);
}

type Handler = (req: FakeRequest, match: RegExpMatchArray) => Response;

/** Creates a stateful msw fake of the Sherweb Service Provider API. */
export function createSherwebFake(options: SherwebFakeOptions = {}): SherwebFake {
  const baseUrl = (options.baseUrl ?? SHERWEB_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const tokenUrl = options.tokenUrl ?? SHERWEB_DEFAULT_TOKEN_URL;
  const credentials: SherwebCredentials = { ...SHERWEB_FAKE_CREDENTIALS, ...options.credentials };
  const baseClock = options.now ?? (() => new Date());
  let offsetMs = 0;
  const nowMs = (): number => baseClock().getTime() + offsetMs;
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const processingMs = options.processingMs ?? 5000;
  const shape = options.trackingIdShape ?? 'as-observed';
  const state = createSherwebState();
  if (options.seed !== false) seedSherweb(state, nowMs());
  const faults = new FaultInjector(options.faultSeed ?? 1);
  const requests: RecordedRequest[] = [];
  const appliedWrites: SherwebAppliedWrite[] = [];
  const ids = createRandom(0x7a11_0c0d);
  const rateWindow = options.rateLimit
    ? new RateWindow({ limit: options.rateLimit.limit, windowMs: options.rateLimit.windowMs, now: nowMs })
    : undefined;
  let issued = 0;

  // ---- asynchronous requests -------------------------------------------------------------------

  const finish = (op: SherwebOperation, forced?: 'success' | 'failure'): void => {
    const at = nowMs();
    for (const item of op.items) {
      const key = item.subscriptionId ?? item.sku ?? '';
      if (forced === 'failure' || state.failing.has(key)) {
        state.failing.delete(key);
        item.status = 'Failure';
        item.message = 'The request could not be processed by the vendor.';
        continue;
      }
      item.status = 'Success';
      if (op.kind === 'SubscriptionsAmendment' && item.subscriptionId && item.quantity !== null) {
        const rec = state.subscriptions.get(item.subscriptionId);
        if (!rec) continue;
        const before = rec.subscription.quantity;
        rec.subscription.quantity = item.quantity;
        const term = rec.subscription.commitmentTerm;
        if (term && item.quantity > before) {
          // the added seats may be removed again during the grace window
          term.committedMinimalQuantities = [
            ...(term.committedMinimalQuantities ?? []),
            { committedUntil: sherwebDateTime(at + SHERWEB_GRACE_DAYS * DAY_MS), quantity: before },
          ];
        }
      } else if (op.kind === 'SubscriptionsCancellation' && item.subscriptionId) {
        const rec = state.subscriptions.get(item.subscriptionId);
        if (rec) rec.cancelledOn = sherwebDateTime(at);
      } else if (op.kind === 'Order' && item.sku) {
        const entry = state.catalog.find((e) => e.item.sku === item.sku);
        if (!entry) continue;
        const id = randomUuid(ids);
        item.subscriptionId = id;
        state.subscriptions.set(id, {
          customerId: op.customerId,
          cancelledOn: null,
          quantityLocked: entry.quantityLocked,
          pendingTrackingId: null,
          subscription: {
            id,
            productName: entry.item.name[0]?.value ?? entry.item.sku,
            description: entry.item.description[0]?.value ?? '',
            sku: entry.item.sku,
            quantity: item.quantity ?? 1,
            billingCycle: entry.item.billingCycle,
            purchaseDate: sherwebDateTime(at),
            fees: { recurringFee: entry.recurringFee, setupFee: 0, currency: entry.currency },
            commitmentTerm: entry.item.commitmentTerm ? commitmentFor(entry.item.commitmentTerm, at, at) : null,
          },
        });
      }
    }
    for (const rec of state.subscriptions.values()) {
      if (rec.pendingTrackingId === op.trackingId) rec.pendingTrackingId = null;
    }
    const ok = op.items.filter((i) => i.status === 'Success').length;
    op.status = ok === op.items.length ? 'Success' : ok === 0 ? 'Failure' : 'PartialSuccess';
    op.updatedAt = at;
  };

  const settle = (): void => {
    const at = nowMs();
    for (const op of state.operations.values()) {
      if (op.status !== 'Queued' && op.status !== 'Processing') continue;
      if (at >= op.dueAt) finish(op);
      else if (op.status === 'Queued' && at >= op.createdAt + processingMs / 2) {
        op.status = 'Processing';
        op.updatedAt = at;
      }
    }
  };

  const startOperation = (
    req: FakeRequest,
    kind: SherwebOperationKind,
    customerId: string,
    items: SherwebOperationItem[],
  ): SherwebOperation => {
    const at = nowMs();
    const op: SherwebOperation = {
      trackingId: randomUuid(ids),
      amendmentId: kind === 'SubscriptionsAmendment' ? randomUuid(ids) : null,
      kind,
      customerId,
      createdAt: at,
      updatedAt: at,
      dueAt: at + processingMs,
      status: 'Queued',
      items,
    };
    state.operations.set(op.trackingId, op);
    for (const item of items) {
      const rec = item.subscriptionId ? state.subscriptions.get(item.subscriptionId) : undefined;
      if (rec) rec.pendingTrackingId = op.trackingId;
    }
    appliedWrites.push({
      at: sherwebDateTime(at),
      method: req.method,
      path: req.path,
      query: req.url.search,
      body: req.body,
      trackingId: op.trackingId,
    });
    return op;
  };

  const receipt = (op: SherwebOperation): Record<string, unknown> => {
    const nested = shape === 'nested' || (shape === 'as-observed' && op.kind === 'SubscriptionsAmendment');
    const body: Record<string, unknown> = {};
    if (op.amendmentId) body.subscriptionsAmendmentId = op.amendmentId;
    if (nested) body.trackingId = { requestTrackingId: op.trackingId };
    else body.requestTrackingId = op.trackingId;
    return body;
  };

  const amendmentStatus = (op: SherwebOperation): SherwebAmendmentStatus =>
    op.status === 'Queued' ? 'Pending' : op.status;

  // ---- request helpers -------------------------------------------------------------------------

  /** Resolves `?customerId=`: a Response when it is missing, malformed or unknown. */
  const customerFromQuery = (req: FakeRequest): string | Response => {
    const id = req.query.get('customerId');
    if (!id) return validationProblem(req, 'customerId', 'The customerId field is required.');
    return customerById(req, id);
  };
  const customerById = (req: FakeRequest, id: string): string | Response => {
    if (!UUID_RE.test(id)) return validationProblem(req, 'customerId', `The value '${id}' is not valid.`);
    if (!state.customers.has(id)) {
      return businessProblem(req, 404, 'customer-not-found', 'Customer not found', `Customer ${id} was not found.`, {
        customerId: id,
      });
    }
    return id;
  };
  const listed = (customerId: string): SherwebSubscriptionRecord[] =>
    [...state.subscriptions.values()].filter((r) => r.customerId === customerId && r.cancelledOn === null);
  /** A live subscription of the customer, or a 404 problem. */
  const subscriptionOf = (req: FakeRequest, customerId: string, id: unknown): SherwebSubscriptionRecord | Response => {
    if (typeof id !== 'string' || !UUID_RE.test(id)) {
      return validationProblem(req, 'subscriptionId', `The value '${String(id)}' is not a valid subscription id.`);
    }
    const rec = state.subscriptions.get(id);
    if (!rec || rec.customerId !== customerId || rec.cancelledOn !== null) {
      return businessProblem(
        req,
        404,
        'subscription-not-found',
        'Subscription not found',
        `Subscription ${id} was not found for customer ${customerId}.`,
        { subscriptionId: id },
      );
    }
    return rec;
  };
  const objectBody = (req: FakeRequest): Record<string, unknown> | undefined =>
    typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body)
      ? (req.body as Record<string, unknown>)
      : undefined;

  /** Validates an order body; the cart items or a problem answer. */
  const validateOrder = (req: FakeRequest): { sku: string; quantity: number }[] | Response => {
    const body = objectBody(req);
    const cart = body?.cartItems;
    if (!Array.isArray(cart) || cart.length === 0) {
      return validationProblem(req, 'cartItems', 'The cartItems field is required.');
    }
    const out: { sku: string; quantity: number }[] = [];
    for (const raw of cart as unknown[]) {
      const line = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
      const { sku, quantity } = line;
      if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
        return validationProblem(req, 'cartItems.quantity', 'The quantity must be a positive integer.');
      }
      if (typeof sku !== 'string' || !state.catalog.some((e) => e.item.sku === sku)) {
        return businessProblem(
          req,
          400,
          'invalid-sku',
          'SKU not available',
          `The SKU '${String(sku)}' is not available in the customer catalog.`,
          { sku },
        );
      }
      out.push({ sku, quantity });
    }
    return out;
  };

  // ---- routes ----------------------------------------------------------------------------------

  const routes: { method: string; path: RegExp; handle: Handler }[] = [
    // Billing read (receivable charges): testing/sherweb/billing.ts.
    sherwebBillingRoute({
      now: nowMs,
      customerFromQuery,
      listed,
      json: (body) => json(body),
      badRequest: validationProblem,
    }),
    {
      method: 'GET',
      path: /^\/customers\/?$/,
      handle: () => json({ items: [...state.customers.values()] }),
    },
    {
      method: 'GET',
      path: /^\/billing\/subscriptions(?:\/details)?\/?$/,
      handle: (req) => {
        const customerId = customerFromQuery(req);
        if (customerId instanceof Response) return customerId;
        const at = nowMs();
        const items = listed(customerId).map((r) => {
          const term = r.subscription.commitmentTerm;
          if (!term) return r.subscription;
          const open = (term.committedMinimalQuantities ?? []).filter((c) => Date.parse(c.committedUntil) > at);
          return { ...r.subscription, commitmentTerm: { ...term, committedMinimalQuantities: open } };
        });
        return json({ items });
      },
    },
    {
      method: 'POST',
      path: /^\/billing\/subscriptions\/amendments\/?$/,
      handle: (req) => {
        const customerId = customerFromQuery(req);
        if (customerId instanceof Response) return customerId;
        const params = objectBody(req)?.subscriptionAmendmentParameters;
        if (!Array.isArray(params) || params.length === 0) {
          return validationProblem(
            req,
            'subscriptionAmendmentParameters',
            'The subscriptionAmendmentParameters field is required.',
          );
        }
        const at = nowMs();
        const items: SherwebOperationItem[] = [];
        for (const raw of params as unknown[]) {
          const p = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
          const { newQuantity } = p;
          if (typeof newQuantity !== 'number' || !Number.isInteger(newQuantity) || newQuantity < 1) {
            return validationProblem(req, 'newQuantity', 'The newQuantity must be an integer greater than 0.');
          }
          const rec = subscriptionOf(req, customerId, p.subscriptionId);
          if (rec instanceof Response) return rec;
          const sub = rec.subscription;
          if (items.some((i) => i.subscriptionId === sub.id)) {
            return validationProblem(req, 'subscriptionId', `Subscription ${sub.id} appears more than once.`);
          }
          if (rec.quantityLocked) {
            return businessProblem(
              req,
              400,
              'quantity-cannot-be-changed',
              'Quantity cannot be changed',
              `The quantity of subscription ${sub.id} (${sub.productName}) cannot be changed.`,
              { subscriptionId: sub.id },
            );
          }
          if (rec.pendingTrackingId) {
            return businessProblem(
              req,
              400,
              'quantity-cannot-be-changed',
              'Quantity cannot be changed',
              `Subscription ${sub.id} has a request in progress (${rec.pendingTrackingId}); try again when it is done.`,
              { subscriptionId: sub.id, requestTrackingId: rec.pendingTrackingId },
            );
          }
          const minimal = minimalQuantityNow(sub, at);
          if (newQuantity < sub.quantity && newQuantity < minimal) {
            return businessProblem(
              req,
              400,
              'commitment-term-violation',
              'Commitment term violation',
              `The quantity of subscription ${sub.id} cannot be lowered below ${minimal} before the end of its ` +
                `commitment term (${sub.commitmentTerm?.termEndDate ?? 'unknown'}).`,
              {
                subscriptionId: sub.id,
                currentQuantity: sub.quantity,
                minimalQuantity: minimal,
                termEndDate: sub.commitmentTerm?.termEndDate ?? null,
              },
            );
          }
          items.push({ subscriptionId: sub.id, sku: sub.sku, quantity: newQuantity, status: 'Pending', message: null });
        }
        const op = startOperation(req, 'SubscriptionsAmendment', customerId, items);
        return json(receipt(op));
      },
    },
    {
      method: 'GET',
      path: /^\/billing\/subscriptions\/amendments\/([^/]+)\/status\/?$/,
      handle: (req, m) => {
        const id = decodeURIComponent(m[1] ?? '');
        const op = [...state.operations.values()].find((o) => o.amendmentId === id);
        if (!op) {
          return businessProblem(
            req,
            404,
            'amendment-not-found',
            'Amendment not found',
            `Subscriptions amendment ${id} was not found.`,
          );
        }
        return json(amendmentStatus(op));
      },
    },
    {
      method: 'POST',
      path: /^\/billing\/subscriptions\/cancellations\/?$/,
      handle: (req) => {
        const customerId = customerFromQuery(req);
        if (customerId instanceof Response) return customerId;
        const list = objectBody(req)?.subscriptionIds;
        if (!Array.isArray(list) || list.length === 0) {
          return validationProblem(req, 'subscriptionIds', 'The subscriptionIds field is required.');
        }
        const at = nowMs();
        const items: SherwebOperationItem[] = [];
        for (const id of list as unknown[]) {
          const rec = subscriptionOf(req, customerId, id);
          if (rec instanceof Response) return rec;
          const sub = rec.subscription;
          if (rec.pendingTrackingId) {
            return businessProblem(
              req,
              400,
              'subscription-cannot-be-cancelled',
              'Subscription cannot be cancelled',
              `Subscription ${sub.id} has a request in progress (${rec.pendingTrackingId}).`,
              { subscriptionId: sub.id, requestTrackingId: rec.pendingTrackingId },
            );
          }
          if (sub.commitmentTerm && minimalQuantityNow(sub, at) > 0) {
            return businessProblem(
              req,
              400,
              'commitment-term-violation',
              'Commitment term violation',
              `Subscription ${sub.id} cannot be cancelled before the end of its commitment term ` +
                `(${sub.commitmentTerm.termEndDate}).`,
              { subscriptionId: sub.id, termEndDate: sub.commitmentTerm.termEndDate },
            );
          }
          items.push({ subscriptionId: sub.id, sku: sub.sku, quantity: null, status: 'Pending', message: null });
        }
        const op = startOperation(req, 'SubscriptionsCancellation', customerId, items);
        return json(receipt(op));
      },
    },
    {
      method: 'GET',
      path: /^\/customer-catalogs\/([^/]+)\/?$/,
      handle: (req, m) => {
        const customerId = customerById(req, decodeURIComponent(m[1] ?? ''));
        if (customerId instanceof Response) return customerId;
        return json({ customerId, catalogItems: state.catalog.map((e) => e.item) });
      },
    },
    {
      method: 'POST',
      path: /^\/orders\/validate\/?$/,
      handle: (req) => {
        const customerId = customerFromQuery(req);
        if (customerId instanceof Response) return customerId;
        const cart = validateOrder(req);
        if (cart instanceof Response) return cart;
        return json({ isValid: true });
      },
    },
    {
      method: 'POST',
      path: /^\/orders\/?$/,
      handle: (req) => {
        const customerId = customerFromQuery(req);
        if (customerId instanceof Response) return customerId;
        const cart = validateOrder(req);
        if (cart instanceof Response) return cart;
        const items = cart.map<SherwebOperationItem>((c) => ({
          subscriptionId: null,
          sku: c.sku,
          quantity: c.quantity,
          status: 'Pending',
          message: null,
        }));
        const op = startOperation(req, 'Order', customerId, items);
        return json(receipt(op));
      },
    },
    {
      method: 'GET',
      path: /^\/tracking\/([^/]+)\/?$/,
      handle: (req, m) => {
        const id = decodeURIComponent(m[1] ?? '');
        const op = state.operations.get(id);
        if (!op) {
          return businessProblem(
            req,
            404,
            'tracking-not-found',
            'Request not found',
            `Tracked request ${id} was not found.`,
          );
        }
        return json({
          id: op.trackingId,
          requestType: op.kind,
          status: op.status,
          customerId: op.customerId,
          createdOn: sherwebDateTime(op.createdAt),
          lastUpdatedOn: sherwebDateTime(op.updatedAt),
          details: op.items.map((i) => ({
            subscriptionId: i.subscriptionId,
            sku: i.sku,
            quantity: i.quantity,
            status: i.status,
            message: i.message,
          })),
        });
      },
    },
  ];

  // ---- dispatch --------------------------------------------------------------------------------

  const dispatchApi = (req: FakeRequest): Response => {
    settle();
    let route: { handle: Handler; match: RegExpMatchArray } | undefined;
    for (const r of routes) {
      const match = req.path.match(r.path);
      if (match && r.method === req.method) {
        route = { handle: r.handle, match };
        break;
      }
    }
    if (!route) return apim(404, 'Resource not found');
    const key = req.headers.get('ocp-apim-subscription-key') ?? req.query.get('subscription-key');
    if (!key) {
      return apim(
        401,
        'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
      );
    }
    if (key !== credentials.subscriptionKey) {
      return apim(
        401,
        'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
      );
    }
    if (rateWindow) {
      const verdict = rateWindow.take(key);
      if (!verdict.ok) {
        const headers: Record<string, string> = options.rateLimit?.retryAfter
          ? { 'Retry-After': String(verdict.retryAfterSeconds) }
          : {};
        return problem(
          429,
          'https://tools.ietf.org/html/rfc6585#section-4',
          'Too Many Requests',
          `Rate limit is exceeded. Try again in ${verdict.retryAfterSeconds} seconds.`,
          req.path,
          {},
          headers,
        );
      }
    }
    const auth = req.headers.get('authorization') ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
    const token = bearer ? state.tokens.get(bearer) : undefined;
    if (!token || token.expiresAt <= nowMs()) {
      return problem(
        401,
        'https://tools.ietf.org/html/rfc7235#section-3.1',
        'Unauthorized',
        bearer ? 'The access token is invalid or has expired.' : 'No access token was provided.',
        req.path,
        {},
        { 'WWW-Authenticate': bearer ? 'Bearer error="invalid_token"' : 'Bearer' },
      );
    }
    if (!token.scopes.includes('service-provider')) {
      return problem(
        403,
        'https://tools.ietf.org/html/rfc7231#section-6.5.3',
        'Forbidden',
        "The access token does not carry the 'service-provider' scope.",
        req.path,
      );
    }
    return route.handle(req, route.match);
  };

  const tokenPath = new URL(tokenUrl).pathname;
  const tokenBase = tokenUrl.slice(0, tokenUrl.lastIndexOf('/'));
  const dispatchToken = (req: FakeRequest): Response => {
    settle();
    if (req.url.pathname !== tokenPath || req.method !== 'POST') return apim(404, 'Resource not found');
    const oauthError = (error: string, status = 400): Response =>
      json({ error }, status, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    const type = req.headers.get('content-type') ?? '';
    const form = objectBody(req);
    if (!type.includes('application/x-www-form-urlencoded') || !form) return oauthError('invalid_request');
    if (form.grant_type !== 'client_credentials') {
      return oauthError(form.grant_type ? 'unsupported_grant_type' : 'invalid_request');
    }
    if (form.client_id !== credentials.clientId || form.client_secret !== credentials.clientSecret) {
      return oauthError('invalid_client');
    }
    const scopes = typeof form.scope === 'string' ? form.scope.split(/\s+/).filter(Boolean) : [];
    if (scopes.length === 0 || scopes.some((s) => s !== 'service-provider' && s !== 'distributor')) {
      return oauthError('invalid_scope');
    }
    issued += 1;
    let token = `fake-sherweb-token-${issued}-`;
    for (let i = 0; i < 24; i++) token += Math.floor(ids() * 36).toString(36);
    state.tokens.set(token, { scopes, expiresAt: nowMs() + lifetime * 1000 });
    return json({ access_token: token, expires_in: lifetime, token_type: 'Bearer', scope: scopes.join(' ') }, 200, {
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
    });
  };

  const handlers = [
    ...fakeHandlers({ baseUrl: tokenBase, faults, log: requests, dispatch: dispatchToken }),
    ...fakeHandlers({ baseUrl, faults, log: requests, dispatch: dispatchApi }),
  ];

  const fake: SherwebFake = {
    provider: 'sherweb',
    baseUrl,
    tokenUrl,
    handlers,
    state,
    faults,
    requests,
    credentials,
    appliedWrites,
    get issuedTokens() {
      return issued;
    },
    rateWindow,
    get rateLimited() {
      return rateWindow?.rejected ?? 0;
    },
    now: () => new Date(nowMs()),
    advance(ms) {
      offsetMs += ms;
      settle();
    },
    expireAllTokens() {
      for (const t of state.tokens.values()) t.expiresAt = 0;
    },
    pendingOperations: () =>
      [...state.operations.values()].filter((o) => o.status === 'Queued' || o.status === 'Processing'),
    complete(trackingId, outcome) {
      const op = state.operations.get(trackingId);
      if (!op) throw new Error(`sherweb fake: no tracked request ${trackingId}`);
      if (op.status === 'Queued' || op.status === 'Processing') finish(op, outcome);
      return op;
    },
    completeAll() {
      for (const op of fake.pendingOperations()) finish(op);
    },
    markFailing(key) {
      state.failing.add(key);
    },
  };
  return fake;
}
