/**
 * A stateful msw fake of the Microsoft Partner Center REST API v1 and of the Entra v1 token endpoint it takes
 * tokens from. See docs/providers/partner-center.md ("The fake") for what it models and what it does not.
 */
import type { HttpHandler } from 'msw';
import { ENTRA_AUTHORITY, TokenBook, entraError, entraTokenHandler, formField } from '../kit/entra.js';
import { type FakeRequest, type RecordedRequest, fakeHandlers } from '../kit/fake-server.js';
import { FaultInjector, createRandom } from '../kit/faults.js';
import { RateWindow } from '../kit/rate-window.js';
import type { Clock, VendorFake } from '../kit/types.js';
import { partnerCenterBillingRoutes } from './billing.js';
import { seedPartnerCenterCatalog, seedPartnerCenterState } from './seed.js';
import {
  type AddPartnerCenterCustomerInput,
  type AddPartnerCenterSubscriptionInput,
  type PartnerCenterApiFault,
  type PartnerCenterCart,
  type PartnerCenterCartLineItem,
  type PartnerCenterCollection,
  type PartnerCenterCustomer,
  type PartnerCenterCustomerRecord,
  type PartnerCenterLink,
  type PartnerCenterOperation,
  type PartnerCenterOrder,
  type PartnerCenterOrderLineItem,
  type PartnerCenterState,
  type PartnerCenterSubscriptionRecord,
  NCE_WINDOW_DAYS,
  addDays,
  addPartnerCenterCustomer,
  addPartnerCenterSubscription,
  createPartnerCenterState,
  findCatalogItem,
  isNewCommerce,
  refundableQuantity,
  uuidFrom,
} from './state.js';

/** The Partner Center API root with its version segment. */
export const PARTNER_CENTER_BASE_URL = 'https://api.partnercenter.microsoft.com/v1';

/** The `resource` a Partner Center token must be issued for (v1 token endpoint). */
export const PARTNER_CENTER_RESOURCE = 'https://api.partnercenter.microsoft.com';

/** The retired AAD Graph audience: the fake still issues such tokens, but Partner Center refuses them. */
export const AAD_GRAPH_RESOURCE = 'https://graph.windows.net';

/** What the fake accepts at the Entra v1 token endpoint. */
export interface PartnerCenterFakeCredentials {
  /** The partner's Entra tenant (id or domain), the `{tenant}` of the token URL. */
  tenantId: string;
  /** Application (client) id. */
  clientId: string;
  /** Application key (client secret). */
  clientSecret: string;
  /** App+user refresh token (Secure Application Model) accepted with `grant_type=refresh_token`. */
  refreshToken: string;
}

/** Default fake credentials. */
export const PARTNER_CENTER_FAKE_CREDENTIALS: PartnerCenterFakeCredentials = {
  tenantId: 'fake-partner-tenant',
  clientId: 'fake-pc-app-id',
  clientSecret: 'fake-pc-app-secret',
  refreshToken: 'fake-pc-refresh-token',
};

/** Options of {@link createPartnerCenterFake}. */
export interface PartnerCenterFakeOptions {
  /** API base URL including `/v1` (default {@link PARTNER_CENTER_BASE_URL}). */
  baseUrl?: string;
  /** Entra authority; the token endpoint is `{authorityUrl}/{tenant}/oauth2/token` (default login.microsoftonline.com). */
  authorityUrl?: string;
  credentials?: Partial<PartnerCenterFakeCredentials>;
  /** The fake's clock (token expiry, cancellation windows, pending operations). Default `() => new Date()`. */
  now?: Clock;
  /** Seed Contoso and 30 other customers (default true). The catalog is always there. */
  seed?: boolean;
  /** Answer 429 over `limit` requests per `windowMs` (per partner); `retryAfter: false` omits `Retry-After`. */
  rateLimit?: { limit: number; windowMs: number; retryAfter?: boolean };
  /** Seed of the fault injector's PRNG. */
  faultSeed?: number;
  /** Access token lifetime (default 3599 s, as in Microsoft's samples). */
  tokenLifetimeSeconds?: number;
  /**
   * Answer quantity changes with 202 + `Location` and apply them later (after `delayMs`, default 30 s, on the
   * fake's clock, or on `completeAll()`). Off by default: Partner Center answers 200 unless the change is slow.
   */
  asyncSubscriptionUpdates?: boolean | { delayMs?: number };
  /** Checkout creates `pending` orders and subscriptions that complete after `delayMs` (default 60 s) or on `completeAll()`. */
  asyncOrders?: boolean | { delayMs?: number };
  /** Refuse calls without `MS-RequestId` and `MS-CorrelationId` with 400 (the service itself generates missing ones). */
  strictHeaders?: boolean;
  /** `GET /customers` page size when `size` is absent (default 100) and its cap (default 500). */
  customerPaging?: { defaultSize?: number; maxSize?: number };
  /** Page `GET /customers/{id}/subscriptions` with this size (default: no paging, as documented). */
  subscriptionPageSize?: number;
}

/** A state-changing request the fake applied (MS-RequestId replays are not listed again). */
export interface PartnerCenterAppliedWrite {
  method: string;
  path: string;
  requestId: string;
  body: unknown;
  at: string;
  /** True when the change was accepted with 202 and completes later. */
  async?: boolean;
}

/** The Partner Center fake. */
export interface PartnerCenterFake extends VendorFake<PartnerCenterState, PartnerCenterFakeCredentials> {
  readonly provider: 'partner-center';
  /** The Entra authority the token handler answers on. */
  readonly authorityUrl: string;
  /** The v1 token URL for the configured tenant. */
  readonly tokenUrl: string;
  /** How many access tokens were issued. */
  readonly issuedTokens: number;
  /** State-changing requests actually applied, in order. */
  readonly appliedWrites: PartnerCenterAppliedWrite[];
  /** How many writes were answered from the MS-RequestId record instead of being applied again. */
  readonly replayedWrites: number;
  /** How many requests the rate limit refused. */
  readonly rateLimited: number;
  /** Makes every issued token expired (the next API call gets 401). */
  expireAllTokens(): void;
  /** Operations still pending (after completing those whose time has come). */
  pendingOperations(): PartnerCenterOperation[];
  /** Completes every pending operation now; returns how many. */
  completeAll(): number;
  /** Fails every pending operation now (nothing is applied); returns how many. */
  failAll(): number;
  /** Completes one pending operation. */
  complete(operationId: string): void;
  /** Fails one pending operation. */
  fail(operationId: string): void;
  /** Adds a customer. */
  addCustomer(input: AddPartnerCenterCustomerInput): PartnerCenterCustomer;
  /** Adds a subscription. */
  addSubscription(input: AddPartnerCenterSubscriptionInput): PartnerCenterSubscriptionRecord;
  /** A subscription as `GET` would render it (undefined when unknown). */
  subscription(subscriptionId: string): Record<string, unknown> | undefined;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface StoredReply extends Reply {
  method: string;
  path: string;
}

interface ContinuationEntry {
  scope: string;
  offset: number;
  size: number;
  filter: string;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** A Partner Center error body. */
function fault(
  status: number,
  code: number | string,
  description: string,
  extra: Partial<PartnerCenterApiFault> = {},
): Reply {
  const body: PartnerCenterApiFault = { code, description, data: [], source: 'PartnerFD', ...extra };
  return { status, body };
}

/** Query parameter by name, ignoring case. */
function queryParam(query: URLSearchParams, name: string): string | null {
  const lower = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === lower) return value;
  return null;
}

/** Lower-cases the first letter of every top-level key (the service reads request bodies case-insensitively). */
function camelKeys(body: unknown): Record<string, unknown> | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) out[key.charAt(0).toLowerCase() + key.slice(1)] = value;
  return out;
}

function link(uri: string, method = 'GET', headers: { key: string; value: string }[] = []): PartnerCenterLink {
  return { uri, method, headers };
}

function etagOf(record: PartnerCenterSubscriptionRecord): string {
  return Buffer.from(`${record.subscription.id}:${record.version}`).toString('base64');
}

/**
 * Creates the fake. Register `fake.handlers` with msw's `setupServer`; they answer on `baseUrl` and on the Entra
 * v1 token path only, so the Graph fake (Entra v2.0 path) can run in the same server.
 */
export function createPartnerCenterFake(options: PartnerCenterFakeOptions = {}): PartnerCenterFake {
  const baseUrl = (options.baseUrl ?? PARTNER_CENTER_BASE_URL).replace(/\/+$/, '');
  const authorityUrl = (options.authorityUrl ?? ENTRA_AUTHORITY).replace(/\/+$/, '');
  const credentials: PartnerCenterFakeCredentials = { ...PARTNER_CENTER_FAKE_CREDENTIALS, ...options.credentials };
  const now: Clock = options.now ?? (() => new Date());
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  const faults = new FaultInjector(options.faultSeed ?? 1);
  const requests: RecordedRequest[] = [];
  const tokens = new TokenBook({ now, prefix: 'fake-pc-access-' });
  const state = createPartnerCenterState();
  seedPartnerCenterCatalog(state);
  if (options.seed !== false) seedPartnerCenterState(state, { now: now() });
  const rateWindow = options.rateLimit
    ? new RateWindow({
        limit: options.rateLimit.limit,
        windowMs: options.rateLimit.windowMs,
        now: () => now().getTime(),
      })
    : undefined;
  const asyncUpdates = options.asyncSubscriptionUpdates;
  const updateDelayMs = typeof asyncUpdates === 'object' ? (asyncUpdates.delayMs ?? 30_000) : 30_000;
  const asyncOrders = options.asyncOrders;
  const orderDelayMs = typeof asyncOrders === 'object' ? (asyncOrders.delayMs ?? 60_000) : 60_000;
  const defaultPageSize = options.customerPaging?.defaultSize ?? 100;
  const maxPageSize = options.customerPaging?.maxSize ?? 500;
  const random = createRandom(0x5eed);
  const appliedWrites: PartnerCenterAppliedWrite[] = [];
  const idempotency = new Map<string, StoredReply>();
  const continuations = new Map<string, ContinuationEntry>();
  const refreshTokens = new Set([credentials.refreshToken]);
  let replayedWrites = 0;
  let serial = 0;

  // ---------- rendering ----------

  const renderCustomer = (customer: PartnerCenterCustomer, full: boolean): Record<string, unknown> => {
    const { billingProfile, companyProfile, ...rest } = customer;
    const self = `/customers/${customer.id}`;
    return {
      ...rest,
      companyProfile: {
        ...companyProfile,
        links: { self: link(`${self}/profiles/company`) },
        attributes: { objectType: 'CustomerCompanyProfile' },
      },
      ...(full
        ? {
            billingProfile: {
              ...billingProfile,
              links: { self: link(`${self}/profiles/billing`) },
              attributes: { objectType: 'CustomerBillingProfile' },
            },
          }
        : {}),
      links: { self: link(self) },
      attributes: { objectType: 'Customer' },
    };
  };

  const renderSubscription = (record: PartnerCenterSubscriptionRecord): Record<string, unknown> => {
    const sub = record.subscription;
    const self = `/customers/${record.customerId}/subscriptions/${sub.id}`;
    const links: Record<string, PartnerCenterLink> = { self: link(self) };
    if (record.catalog) {
      const { productId, skuId, availabilityId } = record.catalog;
      links.product = link(`/products/${productId}?country=US`);
      links.sku = link(`/products/${productId}/skus/${skuId}?country=US`);
      links.availability = link(`/products/${productId}/skus/${skuId}/availabilities/${availabilityId}?country=US`);
    } else {
      links.offer = link(`/offers/${sub.offerId}`);
    }
    return {
      ...sub,
      ...(isNewCommerce(sub) ? { refundableQuantity: refundableQuantity(record, now()) } : {}),
      links,
      attributes: { etag: etagOf(record), objectType: 'Subscription' },
    };
  };

  const renderOrder = (customerId: string, order: PartnerCenterOrder): Record<string, unknown> => {
    const self = `/customers/${customerId}/orders/${order.id}`;
    return {
      ...order,
      lineItems: order.lineItems.map((line) => ({
        ...line,
        links: {
          subscription: link(`/customers/${customerId}/subscriptions/${line.subscriptionId}`),
          provisioningStatus: link(`/customers/${customerId}/subscriptions/${line.subscriptionId}/provisioningstatus`),
        },
      })),
      links: { self: link(self), provisioningStatus: link(`${self}/provisioningstatus`) },
      attributes: { objectType: 'Order' },
    };
  };

  const renderCart = (customerId: string, cart: PartnerCenterCart): Record<string, unknown> => ({
    ...cart,
    links: { self: link(`/customers/${customerId}/carts/${cart.id}`) },
    attributes: { objectType: 'Cart' },
  });

  /** One page of `all`, with `links.next` + `continuationToken` when more remain. */
  const page = <T>(
    all: T[],
    scope: string,
    selfUri: string,
    offset: number,
    size: number | undefined,
    filter = '',
  ): PartnerCenterCollection<T> => {
    const items = size === undefined ? all : all.slice(offset, offset + size);
    const collection: PartnerCenterCollection<T> = {
      totalCount: items.length,
      items,
      links: { self: link(selfUri) },
      attributes: { objectType: 'Collection' },
    };
    if (size !== undefined && offset + size < all.length) {
      serial += 1;
      const token = `fake-ct-${Buffer.from(`${scope}|${offset + size}|${serial}|${Math.floor(random() * 1e9)}`).toString('base64url')}`;
      continuations.set(token, { scope, offset: offset + size, size, filter });
      const [path] = selfUri.split('?');
      collection.continuationToken = token;
      collection.links.next = link(`${path}?size=${size}&seekOperation=Next`, 'GET', [
        { key: 'MS-ContinuationToken', value: token },
      ]);
    }
    return collection;
  };

  /** Resolves the paging position of a list request: the first page, or `seekOperation=Next` + token. */
  const seek = (
    req: FakeRequest,
    scope: string,
  ): { ok: true; offset: number; size: number | undefined; filter: string } | { ok: false; reply: Reply } => {
    const seekOp = queryParam(req.query, 'seekOperation');
    if (seekOp !== null) {
      if (seekOp.toLowerCase() !== 'next') {
        return {
          ok: false,
          reply: fault(400, 800002, `The seek operation '${seekOp}' is not supported by this fake.`),
        };
      }
      const token = req.headers.get('MS-ContinuationToken');
      if (!token) {
        return { ok: false, reply: fault(400, 800002, 'The MS-ContinuationToken header is required to seek.') };
      }
      const entry = continuations.get(token);
      if (!entry || entry.scope !== scope) {
        return { ok: false, reply: fault(400, 800002, 'The continuation token is invalid.') };
      }
      return { ok: true, offset: entry.offset, size: entry.size, filter: entry.filter };
    }
    return { ok: true, offset: 0, size: undefined, filter: '' };
  };

  // ---------- lookups ----------

  const findCustomer = (id: string): PartnerCenterCustomerRecord | undefined =>
    state.customers.get(id) ?? state.customers.get(id.toLowerCase());

  const findSubscription = (customerId: string, id: string): PartnerCenterSubscriptionRecord | undefined => {
    const record = state.subscriptions.get(id) ?? state.subscriptions.get(id.toLowerCase());
    return record && record.customerId === customerId ? record : undefined;
  };

  const customerNotFound = (id: string): Reply =>
    fault(404, 1000, `Customer ${id} was not found.`, { errorName: 'CustomerNotFound' });

  const subscriptionNotFound = (id: string): Reply =>
    fault(404, 20003, `Subscription ${id} was not found.`, { errorName: 'SubscriptionNotFound' });

  // ---------- operations ----------

  const record = (req: FakeRequest, requestId: string, async?: boolean): void => {
    appliedWrites.push({
      method: req.method,
      path: req.path,
      requestId,
      body: req.body,
      at: now().toISOString(),
      ...(async ? { async: true } : {}),
    });
  };

  /** Applies a quantity change to a subscription record (new-commerce seat batches included). */
  const applyQuantity = (rec: PartnerCenterSubscriptionRecord, quantity: number): void => {
    const sub = rec.subscription;
    const delta = quantity - sub.quantity;
    if (isNewCommerce(sub)) {
      const at = now();
      if (delta > 0) rec.refundBatches.push({ quantity: delta, allowedUntil: addDays(at, NCE_WINDOW_DAYS) });
      let remove = -delta;
      const live = rec.refundBatches.filter((b) => b.quantity > 0 && b.allowedUntil.getTime() > at.getTime());
      for (let i = live.length - 1; i >= 0 && remove > 0; i -= 1) {
        const batch = live[i];
        if (!batch) continue;
        const take = Math.min(batch.quantity, remove);
        batch.quantity -= take;
        remove -= take;
      }
      rec.refundBatches = rec.refundBatches.filter((b) => b.quantity > 0);
    }
    sub.quantity = quantity;
    rec.version += 1;
  };

  const finish = (op: PartnerCenterOperation, outcome: 'completed' | 'failed'): void => {
    if (op.status !== 'pending') return;
    op.status = outcome;
    if (op.kind === 'subscription-update' && op.subscriptionId) {
      const rec = state.subscriptions.get(op.subscriptionId);
      if (!rec) return;
      if (outcome === 'completed' && op.quantity !== undefined) applyQuantity(rec, op.quantity);
      rec.provisioning = outcome === 'completed' ? 'success' : 'failed';
      return;
    }
    const orderRecord = op.orderId ? state.orders.get(op.orderId) : undefined;
    if (!orderRecord) return;
    orderRecord.order.status = outcome === 'completed' ? 'completed' : 'cancelled';
    for (const line of orderRecord.order.lineItems) {
      const rec = state.subscriptions.get(line.subscriptionId);
      if (!rec) continue;
      rec.subscription.status = outcome === 'completed' ? 'active' : 'deleted';
      if (outcome === 'failed') rec.subscription.autoRenewEnabled = false;
      rec.provisioning = outcome === 'completed' ? 'success' : 'failed';
      rec.version += 1;
    }
  };

  const settleDue = (): void => {
    const t = now().getTime();
    for (const op of state.operations) if (op.status === 'pending' && op.dueAt.getTime() <= t) finish(op, 'completed');
  };

  const newOperation = (
    input: Omit<PartnerCenterOperation, 'id' | 'status' | 'createdAt' | 'dueAt'>,
    delay: number,
  ) => {
    const createdAt = now();
    const op: PartnerCenterOperation = {
      ...input,
      id: uuidFrom(random),
      status: 'pending',
      createdAt,
      dueAt: new Date(createdAt.getTime() + delay),
    };
    state.operations.push(op);
    return op;
  };

  // ---------- handlers ----------

  const listCustomers = (req: FakeRequest): Reply => {
    const position = seek(req, 'customers');
    if (!position.ok) return position.reply;
    let size = position.size;
    let filterText = position.filter;
    if (position.offset === 0 && position.size === undefined) {
      const rawSize = queryParam(req.query, 'size');
      const parsed = rawSize === null ? defaultPageSize : Number(rawSize);
      if (!Number.isInteger(parsed) || parsed < 0) return fault(400, 800002, `The size '${rawSize}' is not valid.`);
      size = Math.min(parsed === 0 ? defaultPageSize : parsed, maxPageSize);
      filterText = queryParam(req.query, 'filter') ?? '';
    }
    let all = [...state.customers.values()].map((r) => r.customer);
    if (filterText) {
      let filter: { Field?: string; Value?: string; Operator?: string };
      try {
        filter = JSON.parse(filterText) as typeof filter;
      } catch {
        return fault(400, 800002, 'The filter is not valid JSON.');
      }
      const field = (filter.Field ?? '').toLowerCase();
      const value = (filter.Value ?? '').toLowerCase();
      if ((filter.Operator ?? '').toLowerCase() !== 'starts_with' || !['companyname', 'domain'].includes(field)) {
        return fault(400, 800002, 'Only starts_with on CompanyName or Domain is supported.');
      }
      all = all.filter((c) =>
        (field === 'domain' ? c.companyProfile.domain : c.companyProfile.companyName).toLowerCase().startsWith(value),
      );
    }
    const rendered = all.map((c) => renderCustomer(c, false));
    return {
      status: 200,
      body: page(rendered, 'customers', `/customers?size=${size}`, position.offset, size, filterText),
    };
  };

  const listSubscriptions = (req: FakeRequest, customerId: string): Reply => {
    const scope = `subscriptions:${customerId}`;
    const position = seek(req, scope);
    if (!position.ok) return position.reply;
    const orderId = queryParam(req.query, 'order_id');
    const all = [...state.subscriptions.values()]
      .filter((r) => r.customerId === customerId && (!orderId || r.subscription.orderId === orderId))
      .map(renderSubscription);
    const size = position.size ?? options.subscriptionPageSize;
    return { status: 200, body: page(all, scope, `/customers/${customerId}/subscriptions`, position.offset, size) };
  };

  const patchSubscription = (req: FakeRequest, rec: PartnerCenterSubscriptionRecord, requestId: string): Reply => {
    const body = camelKeys(req.body);
    if (!body) return fault(400, 800002, 'The request body must be a subscription object.');
    const ifMatch = req.headers.get('If-Match');
    if (ifMatch && ifMatch.replace(/^W\//, '').replace(/"/g, '') !== etagOf(rec)) {
      return fault(412, 412, 'The subscription was changed since it was read (If-Match does not match).', {
        errorName: 'PreconditionFailed',
      });
    }
    if (state.operations.some((op) => op.status === 'pending' && op.subscriptionId === rec.subscription.id)) {
      return fault(409, 800094, 'Another update of this subscription is still in progress.', {
        errorName: 'SubscriptionUpdateInProgress',
        isRetryable: true,
      });
    }
    const sub = rec.subscription;
    const nce = isNewCommerce(sub);
    const at = now();
    const wantStatus = typeof body.status === 'string' ? body.status.toLowerCase() : undefined;
    const statusChange = wantStatus !== undefined && wantStatus !== sub.status;
    const wantQuantity = body.quantity;
    const quantityChange = wantQuantity !== undefined && wantQuantity !== sub.quantity;
    if (sub.status === 'pending') {
      return fault(409, 800094, 'The subscription is still being provisioned.', {
        errorName: 'SubscriptionPending',
        isRetryable: true,
      });
    }
    if (sub.status === 'deleted') {
      return fault(400, 2011, 'A deleted subscription cannot be updated.', { errorName: 'SubscriptionDeleted' });
    }
    if (statusChange && quantityChange) {
      return fault(400, 800002, 'Change the quantity and the status in separate requests.');
    }
    if (statusChange) {
      if (wantStatus === 'suspended') {
        if (sub.status !== 'active') return fault(400, 800002, `Cannot suspend a subscription that is ${sub.status}.`);
        sub.status = 'suspended';
        sub.suspensionReasons = ['CustomerCancellation'];
      } else if (wantStatus === 'active') {
        if (sub.status !== 'suspended')
          return fault(400, 800002, `Cannot reactivate a subscription that is ${sub.status}.`);
        sub.status = 'active';
        sub.suspensionReasons = [];
      } else if (wantStatus === 'deleted') {
        if (!nce) {
          return fault(400, 800002, 'Licence-based legacy subscriptions cannot be deleted; suspend them instead.', {
            errorName: 'InvalidStatusTransition',
          });
        }
        const until = sub.cancellationAllowedUntilDate ? new Date(sub.cancellationAllowedUntilDate) : undefined;
        if (!until || at.getTime() > until.getTime()) {
          return fault(
            400,
            800094,
            `The subscription can no longer be cancelled: the cancellation window ended on ${sub.cancellationAllowedUntilDate ?? 'n/a'}.`,
            {
              errorName: 'CancellationWindowExpired',
              parameters: { cancellationAllowedUntilDate: until?.toISOString() ?? '' },
            },
          );
        }
        sub.status = 'deleted';
        sub.autoRenewEnabled = false;
        sub.suspensionReasons = [];
        rec.refundBatches = [];
      } else {
        return fault(400, 800002, `'${String(body.status)}' is not a valid subscription status for an update.`, {
          errorName: 'InvalidInput',
        });
      }
    }
    if (quantityChange) {
      if (sub.status === 'suspended') {
        return fault(400, 800091, 'A suspended subscription cannot be updated.', {
          errorName: 'SubscriptionSuspended',
        });
      }
      const sku = rec.catalog
        ? state.products.get(rec.catalog.productId)?.skus.find((s) => s.sku.id === rec.catalog?.skuId)?.sku
        : undefined;
      const min = sku?.minimumQuantity ?? 1;
      const max = sku?.maximumQuantity ?? 10_000;
      if (
        typeof wantQuantity !== 'number' ||
        !Number.isInteger(wantQuantity) ||
        wantQuantity < min ||
        wantQuantity > max
      ) {
        return fault(400, 2002, `Quantity must be a whole number between ${min} and ${max}.`, {
          errorName: 'QuantityOutOfRange',
          parameters: { minimumQuantity: String(min), maximumQuantity: String(max) },
        });
      }
      if (nce && wantQuantity < sub.quantity) {
        const refundable = refundableQuantity(rec, at).totalQuantity;
        if (sub.quantity - wantQuantity > refundable) {
          return fault(
            400,
            800090,
            `The quantity cannot be decreased by ${sub.quantity - wantQuantity}: only ${refundable} seat(s) are inside their ${NCE_WINDOW_DAYS}-day reduction window.`,
            {
              errorName: 'QuantityCannotBeDecreased',
              isRetryable: false,
              parameters: { refundableQuantity: String(refundable) },
            },
          );
        }
      }
      if (asyncUpdates) {
        newOperation(
          { kind: 'subscription-update', customerId: rec.customerId, subscriptionId: sub.id, quantity: wantQuantity },
          updateDelayMs,
        );
        rec.provisioning = 'pending';
        record(req, requestId, true);
        return { status: 202, headers: { Location: `${baseUrl}/customers/${rec.customerId}/subscriptions/${sub.id}` } };
      }
      applyQuantity(rec, wantQuantity);
    }
    let changed = statusChange || quantityChange;
    if (typeof body.autoRenewEnabled === 'boolean' && body.autoRenewEnabled !== sub.autoRenewEnabled) {
      sub.autoRenewEnabled = body.autoRenewEnabled;
      changed = true;
    }
    if (typeof body.friendlyName === 'string' && body.friendlyName !== sub.friendlyName) {
      sub.friendlyName = body.friendlyName;
      changed = true;
    }
    if (body.scheduledNextTermInstructions !== undefined) {
      sub.scheduledNextTermInstructions = body.scheduledNextTermInstructions;
      changed = true;
    }
    if (changed) {
      if (!quantityChange) rec.version += 1;
      record(req, requestId);
    }
    return { status: 200, body: renderSubscription(rec) };
  };

  const createCart = (req: FakeRequest, customerId: string): Reply => {
    const body = camelKeys(req.body);
    const lines = body?.lineItems;
    if (!Array.isArray(lines) || lines.length === 0) return fault(400, 800002, 'A cart needs at least one line item.');
    const at = now();
    const lineItems: PartnerCenterCartLineItem[] = lines.map((raw, index) => {
      const line = camelKeys(raw) ?? {};
      const catalogItemId = typeof line.catalogItemId === 'string' ? line.catalogItemId : '';
      const quantity = line.quantity;
      const billingCycle = typeof line.billingCycle === 'string' ? line.billingCycle.toLowerCase() : '';
      const termDuration = typeof line.termDuration === 'string' ? line.termDuration.toUpperCase() : '';
      const item: PartnerCenterCartLineItem = {
        id: typeof line.id === 'number' ? line.id : index,
        catalogItemId,
        quantity: typeof quantity === 'number' ? quantity : 0,
        currencyCode: 'USD',
        billingCycle,
        termDuration,
        provisioningContext: {},
        orderGroup: '0',
        ...(typeof line.friendlyName === 'string' ? { friendlyName: line.friendlyName } : {}),
        ...(typeof line.promotionId === 'string' ? { promotionId: line.promotionId } : {}),
        ...(line.attestationAccepted === true ? { attestationAccepted: true } : {}),
      };
      const found = findCatalogItem(state, catalogItemId);
      if (!found) {
        item.error = { errorCode: 10001, errorDescription: `Catalog item id '${catalogItemId}' is not valid.` };
      } else if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < found.sku.minimumQuantity) {
        item.error = { errorCode: 10010, errorDescription: `Quantity '${String(quantity)}' is not valid.` };
      } else if (quantity > found.sku.maximumQuantity) {
        item.error = {
          errorCode: 10015,
          errorDescription: `At most ${found.sku.maximumQuantity} seats are allowed per subscription.`,
        };
      } else if (found.sku.attestationProperties?.enforceAttestation && line.attestationAccepted !== true) {
        item.error = {
          errorCode: 10012,
          errorDescription: 'The attestation for this catalog item has not been accepted.',
        };
      } else if (
        !found.availability.terms.some((t) => t.duration === termDuration && t.billingCycle === billingCycle)
      ) {
        item.error = {
          errorCode: 10013,
          errorDescription: `Term '${termDuration}' billed '${billingCycle}' is not offered for this item.`,
        };
      }
      return item;
    });
    const cart: PartnerCenterCart = {
      id: uuidFrom(random),
      creationTimestamp: at.toISOString(),
      lastModifiedTimestamp: at.toISOString(),
      expirationTimestamp: new Date(at.getTime() + 15 * 60_000).toISOString(),
      lastModifiedUser: credentials.clientId,
      status: 'Active',
      lineItems,
    };
    state.carts.set(cart.id, { customerId, cart });
    return { status: 201, body: renderCart(customerId, cart) };
  };

  const checkout = (req: FakeRequest, customerId: string, cartId: string, requestId: string): Reply => {
    const cartRecord = state.carts.get(cartId) ?? state.carts.get(cartId.toLowerCase());
    if (!cartRecord || cartRecord.customerId !== customerId) {
      return fault(404, 1000, `Cart ${cartId} was not found.`, { errorName: 'CartNotFound' });
    }
    const cart = cartRecord.cart;
    const at = now();
    if (cart.status === 'Ordered') {
      return fault(400, 800002, 'The cart was already checked out.', { errorName: 'CartAlreadyOrdered' });
    }
    if (at.getTime() > new Date(cart.expirationTimestamp).getTime()) {
      return fault(400, 800002, 'The cart has expired; create a new cart.', { errorName: 'CartExpired' });
    }
    const orderErrors: { orderGroupId: string; code: number; description: string }[] = [];
    const groups = new Map<string, PartnerCenterCartLineItem[]>();
    for (const line of cart.lineItems) {
      if (line.error) {
        orderErrors.push({
          orderGroupId: line.orderGroup,
          code: line.error.errorCode,
          description: line.error.errorDescription,
        });
        continue;
      }
      groups.set(line.billingCycle, [...(groups.get(line.billingCycle) ?? []), line]);
    }
    const orders: Record<string, unknown>[] = [];
    for (const [billingCycle, lines] of groups) {
      const orderId = uuidFrom(random).replace(/-/g, '').slice(0, 24);
      const orderLines: PartnerCenterOrderLineItem[] = [];
      for (const [index, line] of lines.entries()) {
        const subscriptionId = uuidFrom(random);
        const rec = addPartnerCenterSubscription(state, {
          id: subscriptionId,
          customerId,
          offerId: line.catalogItemId,
          quantity: line.quantity,
          termDuration: line.termDuration,
          billingCycle: line.billingCycle,
          termStart: at,
          orderId,
          refundBatches: [{ quantity: line.quantity, allowedUntil: addDays(at, NCE_WINDOW_DAYS) }],
          ...(line.friendlyName ? { friendlyName: line.friendlyName } : {}),
          status: asyncOrders ? 'pending' : 'active',
          autoRenewEnabled: true,
        });
        if (asyncOrders) rec.provisioning = 'pending';
        orderLines.push({
          lineItemNumber: index,
          offerId: line.catalogItemId,
          subscriptionId,
          termDuration: line.termDuration,
          transactionType: 'New',
          friendlyName: rec.subscription.friendlyName,
          quantity: line.quantity,
        });
      }
      const order: PartnerCenterOrder = {
        id: orderId,
        alternateId: orderId.slice(0, 12),
        referenceCustomerId: customerId,
        billingCycle,
        currencyCode: 'USD',
        currencySymbol: '$',
        lineItems: orderLines,
        creationDate: at.toISOString(),
        status: asyncOrders ? 'pending' : 'completed',
        transactionType: 'UserPurchase',
      };
      state.orders.set(orderId, { customerId, order });
      if (asyncOrders) newOperation({ kind: 'order', customerId, orderId }, orderDelayMs);
      orders.push(renderOrder(customerId, order));
    }
    cart.status = 'Ordered';
    cart.lastModifiedTimestamp = at.toISOString();
    record(req, requestId, Boolean(asyncOrders));
    return { status: 201, body: { orders, orderErrors, attributes: { objectType: 'CartCheckoutResult' } } };
  };

  const catalog = (req: FakeRequest, rest: string): Reply => {
    const country = queryParam(req.query, 'country');
    if (!country)
      return fault(400, 800002, "The 'country' query parameter is required.", { errorName: 'InvalidInput' });
    const countryCode = country.toUpperCase();
    const parts = rest.split('/').filter(Boolean);
    if (parts.length === 0) {
      const targetView = queryParam(req.query, 'targetView');
      if (!targetView)
        return fault(400, 800002, "The 'targetView' query parameter is required.", { errorName: 'InvalidInput' });
      const items =
        targetView.toLowerCase() === 'onlineservices'
          ? [...state.products.values()].map((p) => ({
              ...p.product,
              links: {
                skus: link(`/products/${p.product.id}/skus?country=${countryCode}`),
                self: link(`/products/${p.product.id}?country=${countryCode}`),
              },
              attributes: { objectType: 'Product' },
            }))
          : [];
      return {
        status: 200,
        body: page(items, 'products', `/products?country=${countryCode}&targetView=${targetView}`, 0, undefined),
      };
    }
    const productRecord = state.products.get((parts[0] ?? '').toUpperCase());
    if (!productRecord) return fault(404, 1000, `Product ${parts[0]} was not found.`, { errorName: 'ProductNotFound' });
    const productId = productRecord.product.id;
    if (parts.length === 1) {
      return {
        status: 200,
        body: {
          ...productRecord.product,
          links: {
            skus: link(`/products/${productId}/skus?country=${countryCode}`),
            self: link(`/products/${productId}?country=${countryCode}`),
          },
          attributes: { objectType: 'Product' },
        },
      };
    }
    if (parts[1]?.toLowerCase() !== 'skus') return fault(404, 1000, 'Resource not found.');
    const renderSku = (s: (typeof productRecord.skus)[number]) => ({
      ...s.sku,
      links: {
        availabilities: link(`/products/${productId}/skus/${s.sku.id}/availabilities?country=${countryCode}`),
        self: link(`/products/${productId}/skus/${s.sku.id}?country=${countryCode}`),
      },
      attributes: { objectType: 'Sku' },
    });
    if (parts.length === 2) {
      return {
        status: 200,
        body: page(
          productRecord.skus.map(renderSku),
          'skus',
          `/products/${productId}/skus?country=${countryCode}`,
          0,
          undefined,
        ),
      };
    }
    const skuEntry = productRecord.skus.find((s) => s.sku.id === parts[2]);
    if (!skuEntry) return fault(404, 1000, `SKU ${parts[2]} was not found.`, { errorName: 'SkuNotFound' });
    if (parts.length === 3) return { status: 200, body: renderSku(skuEntry) };
    if (parts[3]?.toLowerCase() !== 'availabilities') return fault(404, 1000, 'Resource not found.');
    const renderAvailability = (a: (typeof skuEntry.availabilities)[number]) => ({
      ...a,
      country: countryCode,
      links: {
        self: link(`/products/${productId}/skus/${skuEntry.sku.id}/availabilities/${a.id}?country=${countryCode}`),
      },
      attributes: { objectType: 'Availability' },
    });
    if (parts.length === 4) {
      return {
        status: 200,
        body: page(
          skuEntry.availabilities.map(renderAvailability),
          'availabilities',
          `/products/${productId}/skus/${skuEntry.sku.id}/availabilities?country=${countryCode}`,
          0,
          undefined,
        ),
      };
    }
    const availability = skuEntry.availabilities.find((a) => a.id === parts[4]);
    if (!availability || parts.length > 5) return fault(404, 1000, `Availability ${parts[4]} was not found.`);
    return { status: 200, body: renderAvailability(availability) };
  };

  // Billing reads (invoices, reconciliation and unbilled lines): testing/partner-center/billing.ts.
  const billingRoute = partnerCenterBillingRoutes({ state, now, page, seek, fault, link });

  const route = (req: FakeRequest, requestId: string): Reply => {
    const method = req.method.toUpperCase();
    const path = req.path.replace(/\/+$/, '');
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [root, customerId, sub, subId, action, ...extra] = segments;
    const lowerRoot = root?.toLowerCase();
    const wrongMethod = (): Reply =>
      fault(405, 405, `The method ${method} is not allowed on ${path}.`, { errorName: 'InvalidOperation' });

    if (lowerRoot === 'products') {
      if (method !== 'GET') return wrongMethod();
      return catalog(req, segments.slice(1).join('/'));
    }
    const billing = billingRoute(req, segments);
    if (billing) return billing;
    if (lowerRoot !== 'customers')
      return fault(404, 1000, `No resource at ${path}.`, { errorName: 'ResourceNotFound' });
    if (customerId === undefined) return method === 'GET' ? listCustomers(req) : wrongMethod();
    const customer = findCustomer(customerId);
    if (!customer) return customerNotFound(customerId);
    const cid = customer.customer.id;
    const kind = sub?.toLowerCase();
    if (kind === undefined)
      return method === 'GET' ? { status: 200, body: renderCustomer(customer.customer, true) } : wrongMethod();
    if (kind === 'products') {
      if (method !== 'GET') return wrongMethod();
      return catalog(req, segments.slice(3).join('/'));
    }
    if (kind === 'subscriptions') {
      if (subId === undefined) return method === 'GET' ? listSubscriptions(req, cid) : wrongMethod();
      if (subId.toLowerCase() === 'usagerecords' && action === undefined) {
        // The fake sells licences only (no Azure plan or other usage-billed subscription): no usage records.
        if (method !== 'GET') return wrongMethod();
        return {
          status: 200,
          body: page([], `usage:${cid}`, `/customers/${cid}/subscriptions/usagerecords`, 0, undefined),
        };
      }
      const rec = findSubscription(cid, subId);
      if (!rec) return subscriptionNotFound(subId);
      if (action === undefined) {
        if (method === 'GET') return { status: 200, body: renderSubscription(rec) };
        if (method === 'PATCH') return patchSubscription(req, rec, requestId);
        return wrongMethod();
      }
      if (action.toLowerCase() === 'provisioningstatus' && extra.length === 0) {
        if (method !== 'GET') return wrongMethod();
        return {
          status: 200,
          body: {
            skuId: rec.catalog?.skuId ?? rec.subscription.offerId,
            status: rec.provisioning,
            quantity: rec.subscription.quantity,
            endDate: rec.subscription.commitmentEndDate,
            attributes: { objectType: 'SubscriptionProvisioningStatus' },
          },
        };
      }
      return fault(404, 1000, `No resource at ${path}.`);
    }
    if (kind === 'carts') {
      if (subId === undefined) return method === 'POST' ? createCart(req, cid) : wrongMethod();
      if (action === undefined) {
        if (method !== 'GET') return wrongMethod();
        const cartRecord = state.carts.get(subId);
        if (!cartRecord || cartRecord.customerId !== cid) return fault(404, 1000, `Cart ${subId} was not found.`);
        return { status: 200, body: renderCart(cid, cartRecord.cart) };
      }
      if (action.toLowerCase() === 'checkout' && extra.length === 0) {
        return method === 'POST' ? checkout(req, cid, subId, requestId) : wrongMethod();
      }
      return fault(404, 1000, `No resource at ${path}.`);
    }
    if (kind === 'orders') {
      if (method !== 'GET') return wrongMethod();
      const orders = [...state.orders.values()].filter((o) => o.customerId === cid);
      if (subId === undefined) {
        const items = orders.map((o) => renderOrder(cid, o.order));
        return { status: 200, body: page(items, `orders:${cid}`, `/customers/${cid}/orders`, 0, undefined) };
      }
      const found = orders.find((o) => o.order.id === subId);
      if (!found || action !== undefined)
        return fault(404, 1000, `Order ${subId} was not found.`, { errorName: 'OrderNotFound' });
      return { status: 200, body: renderOrder(cid, found.order) };
    }
    return fault(404, 1000, `No resource at ${path}.`, { errorName: 'ResourceNotFound' });
  };

  const toResponse = (reply: Reply, ids: Record<string, string>): Response => {
    const headers = new Headers({ ...ids, ...reply.headers });
    if (reply.body === undefined) return new Response(null, { status: reply.status, headers });
    headers.set('Content-Type', 'application/json; charset=utf-8');
    return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
  };

  const dispatch = (req: FakeRequest): Response => {
    settleDue();
    const clientRequestId = req.headers.get('MS-RequestId');
    const requestId = clientRequestId ?? uuidFrom(random);
    const correlationId = req.headers.get('MS-CorrelationId') ?? uuidFrom(random);
    const ids = {
      'MS-RequestId': requestId,
      'MS-CorrelationId': correlationId,
      'MS-CV': `fake.${requestId.slice(0, 8)}.1`,
    };
    const auth = tokens.verify(req.headers.get('authorization'), PARTNER_CENTER_RESOURCE);
    if (!auth.ok) {
      const reply = fault(
        401,
        401,
        auth.reason === 'expired' ? 'The access token has expired.' : 'The request is not authorized.',
        {
          errorName: 'Unauthorized',
        },
      );
      reply.headers = { 'WWW-Authenticate': `OAuth realm="${PARTNER_CENTER_RESOURCE}", error="invalid_token"` };
      return toResponse(reply, ids);
    }
    if (options.strictHeaders && (!clientRequestId || !req.headers.get('MS-CorrelationId'))) {
      return toResponse(fault(400, 800002, 'The MS-RequestId and MS-CorrelationId headers are required.'), ids);
    }
    if (rateWindow) {
      const taken = rateWindow.take('partner');
      if (!taken.ok) {
        const seconds = taken.retryAfterSeconds;
        return toResponse(
          {
            status: 429,
            body: { statusCode: 429, message: `Rate limit is exceeded. Try again in ${seconds} seconds.` },
            headers: options.rateLimit?.retryAfter === false ? {} : { 'Retry-After': String(seconds) },
          },
          ids,
        );
      }
    }
    const method = req.method.toUpperCase();
    const isWrite = WRITE_METHODS.has(method);
    if (isWrite && clientRequestId) {
      const prior = idempotency.get(clientRequestId);
      if (prior && prior.method === method && prior.path === req.path) {
        replayedWrites += 1;
        return toResponse(prior, ids);
      }
    }
    const reply = route(req, requestId);
    if (isWrite && clientRequestId && reply.status < 500) {
      idempotency.set(clientRequestId, { ...reply, method, path: req.path });
    }
    return toResponse(reply, ids);
  };

  // ---------- Entra v1 token endpoint ----------

  const tokenDispatch = (tenant: string, req: FakeRequest): Response => {
    const at = now();
    const body = req.body;
    const grant = formField(body, 'grant_type');
    const err = (status: number, error: string, aadsts: number, message: string) =>
      entraError({ status, error, aadsts, message, now: at });
    if (!grant) {
      return err(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    }
    if (tenant.toLowerCase() !== credentials.tenantId.toLowerCase()) {
      return err(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID.`,
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
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
      );
    }
    if (grant !== 'client_credentials' && grant !== 'refresh_token') {
      return err(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
    }
    if (formField(body, 'client_secret') !== credentials.clientSecret) {
      return err(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    const resource = formField(body, 'resource');
    if (!resource) {
      return err(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'resource'.");
    }
    const audience = resource.replace(/\/+$/, '');
    if (audience !== PARTNER_CENTER_RESOURCE && audience !== AAD_GRAPH_RESOURCE) {
      return err(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant.`,
      );
    }
    let kind: 'app' | 'app+user' = 'app';
    let newRefreshToken: string | undefined;
    if (grant === 'refresh_token') {
      const presented = formField(body, 'refresh_token');
      if (!presented || !refreshTokens.has(presented)) {
        return err(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
      }
      kind = 'app+user';
      newRefreshToken = `fake-pc-refresh-${tokens.issued + 1}-${at.getTime().toString(36)}`;
      refreshTokens.add(newRefreshToken);
    }
    const token = tokens.issue({ tenantId: credentials.tenantId, clientId, audience, kind }, lifetime);
    const seconds = String(lifetime);
    const epoch = Math.floor(token.issuedAt / 1000);
    return Response.json({
      token_type: 'Bearer',
      ...(kind === 'app+user' ? { scope: 'user_impersonation' } : {}),
      expires_in: seconds,
      ext_expires_in: seconds,
      expires_on: String(epoch + lifetime),
      not_before: String(epoch),
      resource: audience,
      access_token: token.accessToken,
      ...(newRefreshToken ? { refresh_token: newRefreshToken } : {}),
    });
  };

  const handlers: HttpHandler[] = [
    entraTokenHandler({ authorityUrl, endpoint: 'v1', faults, log: requests, dispatch: tokenDispatch }),
    ...fakeHandlers({ baseUrl, faults, log: requests, dispatch }),
  ];

  const pending = (): PartnerCenterOperation[] => {
    settleDue();
    return state.operations.filter((op) => op.status === 'pending');
  };
  const findOperation = (id: string): PartnerCenterOperation => {
    const op = state.operations.find((o) => o.id === id);
    if (!op) throw new Error(`unknown operation ${id}`);
    return op;
  };

  return {
    provider: 'partner-center',
    baseUrl,
    authorityUrl,
    tokenUrl: `${authorityUrl}/${credentials.tenantId}/oauth2/token`,
    handlers,
    state,
    faults,
    requests,
    credentials,
    get issuedTokens() {
      return tokens.issued;
    },
    appliedWrites,
    get replayedWrites() {
      return replayedWrites;
    },
    get rateLimited() {
      return rateWindow?.rejected ?? 0;
    },
    expireAllTokens: () => tokens.expireAll(),
    pendingOperations: pending,
    completeAll: () => {
      const list = pending();
      for (const op of list) finish(op, 'completed');
      return list.length;
    },
    failAll: () => {
      const list = pending();
      for (const op of list) finish(op, 'failed');
      return list.length;
    },
    complete: (id) => finish(findOperation(id), 'completed'),
    fail: (id) => finish(findOperation(id), 'failed'),
    addCustomer: (input) => addPartnerCenterCustomer(state, input),
    addSubscription: (input) => addPartnerCenterSubscription(state, input),
    subscription: (id) => {
      const rec = state.subscriptions.get(id);
      return rec ? renderSubscription(rec) : undefined;
    },
  };
}
