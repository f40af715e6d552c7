import { HttpResponse } from 'msw';
import { type FakeRequest, type RecordedRequest, fakeHandlers } from '../kit/fake-server.js';
import { FaultInjector } from '../kit/faults.js';
import { RateWindow } from '../kit/rate-window.js';
import type { Clock, VendorFake } from '../kit/types.js';
import { buildIonSubscription, ionActivity, seedIon, seedIonCatalog } from './seed.js';
import {
  type IonAttribute,
  type IonCustomer,
  type IonOrder,
  type IonOrderError,
  type IonOrderItem,
  type IonOrderStatus,
  type IonPlan,
  type IonProduct,
  type IonSku,
  type IonState,
  type IonSubscription,
  createIonState,
  ionCustomerId,
  ionDate,
} from './state.js';

/** Default host of StreamOne Ion (OAuth at `/oauth/*`, API under `/api/v3`). */
export const TD_SYNNEX_DEFAULT_BASE_URL = 'https://ion.tdsynnex.com';

/** What the Ion fake accepts: the reseller account id and the first refresh token (from the Ion portal). */
export interface TdSynnexCredentials {
  accountId: string;
  refreshToken: string;
}

/** Default fake credentials. */
export const TD_SYNNEX_DEFAULT_CREDENTIALS: TdSynnexCredentials = {
  accountId: '10001',
  refreshToken: 'fake-ion-refresh-token-0',
};

/** Options of {@link createTdSynnexFake}. */
export interface TdSynnexFakeOptions {
  baseUrl?: string;
  credentials?: Partial<TdSynnexCredentials>;
  /** Clock; `() => new Date()` by default so vitest fake timers apply. */
  now?: Clock;
  /** Seed customers and subscriptions (default true). The catalog is always present. */
  seed?: boolean;
  rateLimit?: { limit: number; windowMs: number; retryAfter?: boolean };
  faultSeed?: number;
  /** Access token lifetime in seconds (default 7200, as documented). */
  accessTokenTtlSeconds?: number;
  /** Refresh token lifetime in seconds (default 32 days, as documented). */
  refreshTokenTtlSeconds?: number;
  /** An order stays `NEW` (cancellable) this long, then `IN_PROGRESS` (default 5 s). */
  orderStartMs?: number;
  /** An order completes (or fails) this long after it was placed (default 30 s). */
  orderCompletionMs?: number;
  /**
   * HTTP status for a missing, unknown or expired bearer token (default 403 `PERMISSION_DENIED`, the only
   * authentication error the vendor documents; 401 `UNAUTHENTICATED` if a test wants it).
   */
  authFailureStatus?: 401 | 403;
}

/** A state-changing request the fake applied. */
export interface TdSynnexAppliedWrite {
  operation: 'CreateOrder' | 'CancelOrder';
  customerId: string;
  orderId: string;
  body: unknown;
  at: string;
}

/** The TD SYNNEX StreamOne Ion fake: msw handlers, state and helpers. */
export interface TdSynnexFake extends VendorFake<IonState, TdSynnexCredentials> {
  /** Access tokens issued (one per successful refresh). */
  readonly issuedTokens: number;
  /** Successful refresh-token grants. */
  readonly refreshCount: number;
  /** State-changing requests that were applied, in order. */
  readonly appliedWrites: TdSynnexAppliedWrite[];
  readonly rateWindow: RateWindow | undefined;
  /** The refresh token that is valid now (the last one issued); every earlier one is spent. */
  currentRefreshToken(): string;
  /** Expires every access token (refresh tokens stay valid). */
  expireAllTokens(): void;
  /** Expires every refresh token too (the integration must be re-bootstrapped from the portal). */
  expireRefreshTokens(): void;
  /** Ids of orders that are not finished yet. */
  pendingOrders(): string[];
  /** Completes one pending order now (it may still end in `ERROR` if a business rule refuses it). */
  completeOrder(orderId: string): IonOrder;
  /** Completes every pending order now; returns how many. */
  completeAll(): number;
  /** Makes a pending order fail with this detail (now). */
  failOrder(orderId: string, detail?: string): IonOrder;
  /** Puts a `NEW` order `ON_HOLD` (still cancellable; the clock no longer completes it). */
  holdOrder(orderId: string): void;
  /** Moves a `NEW` order to `IN_PROGRESS` now (no longer cancellable). */
  startOrder(orderId: string): void;
  /** Cancels a subscription as if done in the portal (the API has no documented cancel). */
  cancelSubscription(id: string): void;
  /** Seat count of a subscription by Ion `id`. */
  quantityOf(id: string): number;
}

type Json = Parameters<typeof HttpResponse.json>[0];

class IonHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? body.error));
  }
}

/** Creates the stateful TD SYNNEX StreamOne Ion v3 fake. */
export function createTdSynnexFake(options: TdSynnexFakeOptions = {}): TdSynnexFake {
  const baseUrl = (options.baseUrl ?? TD_SYNNEX_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const credentials: TdSynnexCredentials = { ...TD_SYNNEX_DEFAULT_CREDENTIALS, ...(options.credentials ?? {}) };
  const clock: Clock = options.now ?? (() => new Date());
  const now = () => clock().getTime();
  const accessTtl = (options.accessTokenTtlSeconds ?? 7200) * 1000;
  const refreshTtl = (options.refreshTokenTtlSeconds ?? 32 * 86_400) * 1000;
  const orderStartMs = options.orderStartMs ?? 5_000;
  const orderCompletionMs = options.orderCompletionMs ?? 30_000;
  const authFailureStatus = options.authFailureStatus ?? 403;
  const state = createIonState(credentials.accountId, credentials.refreshToken, now() + refreshTtl);
  seedIonCatalog(state);
  if (options.seed !== false) seedIon(state, now());
  const faults = new FaultInjector(options.faultSeed ?? 1);
  const requests: RecordedRequest[] = [];
  const appliedWrites: TdSynnexAppliedWrite[] = [];
  const rateWindow = options.rateLimit
    ? new RateWindow({ limit: options.rateLimit.limit, windowMs: options.rateLimit.windowMs, now })
    : undefined;
  let issuedTokens = 0;
  let refreshCount = 0;
  let requestCounter = 0;
  const clone = <T>(v: T): T => structuredClone(v);
  const A = credentials.accountId;

  const requestId = () => (0x176efaa5115cd4d84048n + BigInt(++requestCounter)).toString(16);
  const errorBody = (error: string, message: string, code: number) => ({
    error,
    message,
    code,
    details: [{ '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: requestId() }],
  });
  const fail = (status: number, error: string, message: string): never => {
    throw new IonHttpError(status, errorBody(error, message, status));
  };
  const validation = (errors: { code: string; detail: string }[]): never => {
    throw new IonHttpError(400, {
      error: 'BAD_REQUEST: Invalid provisioning data',
      message: 'BAD_REQUEST: Invalid provisioning data',
      code: 3,
      details: [{ '@type': 'type.googleapis.com/v3orberrors.ErrorBody', requestId: requestId(), errors }],
    });
  };
  const notFound = (resource: string): never => fail(404, 'NOT_FOUND', `resource '${resource}' not found`);

  // ---- OAuth -------------------------------------------------------------------------------------------------

  function formOf(req: FakeRequest): Record<string, string> | undefined {
    const type = req.headers.get('content-type') ?? '';
    if (!type.includes('application/x-www-form-urlencoded') || typeof req.body !== 'object' || req.body === null) {
      return undefined;
    }
    return req.body as Record<string, string>;
  }

  function oauthToken(req: FakeRequest): Response {
    const form = formOf(req);
    if (!form) return HttpResponse.json({ error: 'invalid_request' }, { status: 400 });
    if (form.grant_type !== 'refresh_token') {
      return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 });
    }
    const presented = form.refresh_token ?? '';
    const record = state.refreshTokens.get(presented);
    if (!record || record.used || record.expiresAt <= now()) {
      return HttpResponse.json({ error: 'cannot validate token: redis: nil' }, { status: 400 });
    }
    record.used = true;
    refreshCount += 1;
    issuedTokens += 1;
    const access = `fake-ion-access-${issuedTokens}-${now().toString(36)}`;
    const refresh = `fake-ion-refresh-token-${refreshCount}-${now().toString(36)}`;
    state.refreshTokens.set(refresh, { expiresAt: now() + refreshTtl, used: false });
    state.accessTokens.set(access, { expiresAt: now() + accessTtl, refreshToken: refresh });
    state.currentRefreshToken = refresh;
    return HttpResponse.json({
      access_token: access,
      expires_in: Math.round(accessTtl / 1000),
      refresh_token: refresh,
      token_type: 'Bearer',
    });
  }

  function validateAccess(req: FakeRequest): Response {
    const token = formOf(req)?.access_token ?? '';
    const access = state.accessTokens.get(token);
    if (!access || access.expiresAt <= now()) {
      return HttpResponse.json({ error: 'cannot validate token: redis: nil' }, { status: 400 });
    }
    const refresh = state.refreshTokens.get(access.refreshToken);
    return HttpResponse.json({
      access_expires_in: Math.max(0, Math.floor((access.expiresAt - now()) / 1000)),
      refresh_expires_in: refresh && !refresh.used ? Math.max(0, Math.floor((refresh.expiresAt - now()) / 1000)) : 0,
    });
  }

  function requireBearer(req: FakeRequest, accountId: string): void {
    const header = req.headers.get('authorization') ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1]?.trim();
    const access = token ? state.accessTokens.get(token) : undefined;
    if (!access || access.expiresAt <= now()) {
      if (authFailureStatus === 401) fail(401, 'UNAUTHENTICATED', 'invalid or expired access token');
      fail(403, 'PERMISSION_DENIED', `permission denied to access accounts/${accountId}`);
    }
    if (accountId !== A) fail(403, 'PERMISSION_DENIED', `permission denied to access accounts/${accountId}`);
  }

  // ---- Paging ------------------------------------------------------------------------------------------------

  function tokenPage<T>(items: T[], query: URLSearchParams): { page: T[]; nextPageToken: string } {
    const sizeRaw = query.get('pageSize');
    const token = query.get('pageToken') ?? '';
    if ((sizeRaw === null || sizeRaw === '') && token === '') {
      fail(400, 'INVALID_REQUEST', 'At least one of page_size and page_token must be present');
    }
    let size = 50;
    if (sizeRaw !== null && sizeRaw !== '') {
      const n = Number(sizeRaw);
      if (!Number.isInteger(n) || n < 0) fail(400, 'INVALID_REQUEST', `invalid page_size: ${sizeRaw}`);
      if (n > 0) size = Math.min(n, 1000);
    }
    let offset = 0;
    if (token !== '') {
      const decoded = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!decoded) fail(400, 'INVALID_REQUEST', 'invalid page_token');
      offset = Number(decoded![1]);
    }
    const page = items.slice(offset, offset + size);
    const next = offset + size < items.length ? Buffer.from(`o:${offset + size}`).toString('base64url') : '';
    return { page, nextPageToken: next };
  }

  // ---- Orders ------------------------------------------------------------------------------------------------

  function customerOr404(customerId: string): IonCustomer {
    const c = state.customers.get(customerId);
    if (!c) notFound(`accounts/${A}/customers/${customerId}`);
    return c!;
  }

  function findPlan(productId: string, skuId: string, planId: string): [IonProduct, IonSku, IonPlan] {
    const product = state.products.get(productId);
    if (!product) fail(404, 'NOT_FOUND', `listing ${productId} not found`);
    const sku = product!.skus.find((s) => s.id === skuId);
    if (!sku) fail(404, 'NOT_FOUND', `listing ${productId}/${skuId} not found`);
    const plan = sku!.plans.find((p) => p.id === planId);
    if (!plan) fail(404, 'NOT_FOUND', `listing ${productId}/${skuId}/${planId} not found`);
    return [product!, sku!, plan!];
  }

  function attr(attributes: IonAttribute[], name: string): string | undefined {
    return attributes.find((a) => a.name === name)?.value;
  }

  function pendingFor(resourceId: string): IonOrder | undefined {
    for (const id of state.progress.keys()) {
      const o = state.orders.get(id);
      if (o?.orderItems.some((i) => i.action === 'UPDATE' && i.resourceId === resourceId)) return o;
    }
    return undefined;
  }

  function createOrder(customerId: string, body: unknown): IonOrder {
    const customer = customerOr404(customerId);
    if (typeof body !== 'object' || body === null) {
      validation([
        { code: 'COMM-VL-001', detail: "The 'orderItems' attribute must be present in the 'order' object." },
      ]);
    }
    const b = body as Record<string, unknown>;
    if (!Array.isArray(b.orderItems) || b.orderItems.length === 0) {
      validation([
        { code: 'COMM-VL-001', detail: "The 'orderItems' attribute must be present in the 'order' object." },
      ]);
    }
    const raw = b.orderItems as unknown[];
    const errors: { code: string; detail: string }[] = [];
    const missing = (name: string) =>
      errors.push({
        code: 'COMM-VL-001',
        detail: `The '${name}' attribute must be present in the 'order.orderItem' object.`,
      });
    for (const entry of raw) {
      const it = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
      for (const key of ['action', 'productId', 'skuId', 'planId', 'quantity', 'attributes']) {
        if (it[key] === undefined || it[key] === null || it[key] === '') missing(key);
      }
      if (it.action !== undefined && it.action !== 'CREATE' && it.action !== 'UPDATE') {
        errors.push({
          code: 'COMM-VL-002',
          detail: "The 'order.orderItem.action' must be equal to one of the allowed values: ['CREATE', 'UPDATE'].",
        });
      }
      if (it.action === 'UPDATE' && !it.resourceId) {
        errors.push({
          code: 'COMM-VL-003',
          detail:
            "The 'resourceId' attribute must be present in the 'order.orderItem' object when 'action' is 'UPDATE'.",
        });
      }
      const q = typeof it.quantity === 'string' && /^\d+$/.test(it.quantity) ? Number(it.quantity) : it.quantity;
      if (it.quantity !== undefined && (typeof q !== 'number' || !Number.isInteger(q) || q < 1)) {
        errors.push({ code: 'COMM-VL-002', detail: "The 'order.orderItem.quantity' must be an integer >= 1." });
      }
      const attrs = it.attributes;
      if (attrs !== undefined && !(Array.isArray(attrs) && attrs.every((a) => typeof a?.name === 'string'))) {
        errors.push({
          code: 'COMM-VL-002',
          detail: "The 'order.orderItem.attributes' must be a list of {name, value}.",
        });
      } else if (Array.isArray(attrs)) {
        const list = attrs as IonAttribute[];
        const product = typeof it.productId === 'string' ? state.products.get(it.productId) : undefined;
        const provider = (typeof it.providerName === 'string' ? it.providerName : product?.providerName) ?? '';
        if (it.action === 'CREATE' && provider === 'AZURE' && !attr(list, 'domainName')) {
          errors.push({
            code: 'COMM-VL-004',
            detail:
              "The 'domainName' attribute must be present in the 'Order.orderItem.attributes' array when the provider is 'AZURE' and the action is 'CREATE'.",
          });
        }
        if (it.action === 'UPDATE') {
          const op = attr(list, 'operations');
          if (op === undefined) {
            errors.push({
              code: 'COMM-VL-001',
              detail: "The 'operations' attribute must be present in the 'order.orderItem.attributes' array.",
            });
          } else if (op !== 'updatesubscription') {
            errors.push({
              code: 'COMM-VL-002',
              detail: "The 'operations' attribute must be equal to one of the allowed values: ['updatesubscription'].",
            });
          }
          const renewal = attr(list, 'renewalSetting');
          if (renewal !== undefined && renewal !== 'auto-off' && renewal !== 'auto-on') {
            errors.push({
              code: 'COMM-VL-002',
              detail:
                "The 'renewalSetting' attribute must be equal to one of the allowed values: ['auto-on', 'auto-off'].",
            });
          }
        }
      }
    }
    if (errors.length > 0) validation(errors);

    const orderId = String(state.nextOrderId);
    const items: IonOrderItem[] = raw.map((entry, index) => {
      const it = entry as Record<string, unknown>;
      const [product, sku, plan] = findPlan(String(it.productId), String(it.skuId), String(it.planId));
      const quantity = Number(it.quantity);
      let resourceId = '';
      if (it.action === 'UPDATE') {
        resourceId = String(it.resourceId);
        const sub = [...state.subscriptions.values()].find(
          (s) => s.subscriptionId === resourceId && s.customerId === customerId,
        );
        if (!sub) fail(404, 'NOT_FOUND', `Subscription ${resourceId} not found`);
        if (sub!.ccpProductId !== product.id || sub!.ccpSkuId !== sku.id || sub!.ccpPlanId !== plan.id) {
          validation([
            { code: 'COMM-VL-002', detail: "The 'productId', 'skuId' and 'planId' must match the subscription." },
          ]);
        }
        if (sub!.subscriptionStatus !== 'active') {
          fail(412, 'FAILED_PRECONDITION', `Subscription ${resourceId} is ${sub!.subscriptionStatus}`);
        }
        if (pendingFor(resourceId)) {
          fail(412, 'FAILED_PRECONDITION', `An order for resource ${resourceId} is already in progress`);
        }
      }
      return {
        name: `accounts/${A}/customers/${customerId}/orders/${orderId}/orderItems/${index + 1}`,
        referenceId: typeof it.referenceId === 'string' ? it.referenceId : '',
        action: it.action as 'CREATE' | 'UPDATE',
        resourceId,
        productId: product.id,
        skuId: sku.id,
        planId: plan.id,
        quantity,
        providerName: typeof it.providerName === 'string' ? it.providerName : product.providerName,
        price: plan.price,
        endCustomerPO: typeof it.endCustomerPO === 'string' ? it.endCustomerPO : '',
        resellerPO: typeof it.resellerPO === 'string' ? it.resellerPO : '',
        addOns: [],
        attributes: clone(it.attributes as IonAttribute[]),
        catalogAttributes: [],
        cartItemId: '',
        status: 'NEW',
        errors: [],
        additionalInformation: '',
      };
    });
    const order: IonOrder = {
      name: `accounts/${A}/customers/${customerId}/orders/${orderId}`,
      accountId: A,
      customerId: ionCustomerId(customer),
      orderId,
      referenceId: typeof b.referenceId === 'string' ? b.referenceId : '',
      displayName: typeof b.displayName === 'string' ? b.displayName : '',
      userId: '677176',
      userName: 'Fake API User',
      userEmail: 'fake-api-user@example.com',
      status: 'NEW',
      currencyCode: 'USD',
      total: Math.round(items.reduce((sum, i) => sum + i.price * i.quantity, 0) * 100) / 100,
      cartId: '',
      errors: [],
      orderItems: items,
      provisioningInfo: { processId: `proc-${orderId}`, processName: 'order-provisioning', details: '' },
      createTime: ionDate(now()),
      updateTime: ionDate(now()),
    };
    state.nextOrderId += 1;
    state.orders.set(orderId, order);
    state.progress.set(orderId, { readyAt: now() + orderCompletionMs });
    appliedWrites.push({ operation: 'CreateOrder', customerId, orderId, body: clone(body), at: ionDate(now()) });
    return order;
  }

  function setStatus(order: IonOrder, status: IonOrderStatus): void {
    order.status = status;
    order.updateTime = ionDate(now());
    for (const i of order.orderItems) i.status = status;
  }

  function finishWithError(order: IonOrder, detail: string, code = 'PROVISIONING_FAILED'): void {
    const error: IonOrderError = { code, detail, sourceName: 'MICROSOFT', instancePath: '' };
    order.errors = [error];
    setStatus(order, 'ERROR');
    for (const i of order.orderItems) i.errors = [error];
    order.provisioningInfo.details = detail;
    state.progress.delete(order.orderId);
  }

  /** Applies a finished order to the subscriptions (or ends it in ERROR when a business rule refuses it). */
  function finish(order: IonOrder): void {
    const p = state.progress.get(order.orderId);
    if (p?.failWith !== undefined) {
      finishWithError(order, p.failWith);
      return;
    }
    const t = now();
    // Check every item first: an order is applied whole or not at all.
    for (const item of order.orderItems) {
      if (item.action !== 'UPDATE') continue;
      const sub = [...state.subscriptions.values()].find((s) => s.subscriptionId === item.resourceId);
      if (!sub) {
        finishWithError(order, `Subscription ${item.resourceId} not found`);
        return;
      }
      if (sub.subscriptionStatus !== 'active') {
        finishWithError(order, `Subscription ${item.resourceId} is ${sub.subscriptionStatus}`);
        return;
      }
      if (item.quantity < Number(sub.subscriptionTotalLicenses) && t > Date.parse(sub.cancellationAllowedUntilDate)) {
        finishWithError(
          order,
          `Quantity of subscription ${item.resourceId} cannot be decreased after ${sub.cancellationAllowedUntilDate}; ` +
            'seats can be reduced at renewal.',
          'SEAT_DECREASE_NOT_ALLOWED',
        );
        return;
      }
    }
    for (const item of order.orderItems) {
      if (item.action === 'UPDATE') {
        const sub = [...state.subscriptions.values()].find((s) => s.subscriptionId === item.resourceId)!;
        const renewal = attr(item.attributes, 'renewalSetting');
        if (renewal === 'auto-off' || renewal === 'auto-on') {
          sub.autoRenew = renewal === 'auto-on';
          sub.subscriptionRenewStatus = renewal === 'auto-on' ? 'ENABLED' : 'DISABLED';
        }
        sub.subscriptionTotalLicenses = String(item.quantity);
        sub.total = Math.round(sub.price * item.quantity * 100) / 100;
        sub.lastUpdatedDate = ionDate(t);
        const log = state.activity.get(sub.id) ?? [];
        log.unshift(
          ionActivity(
            `act-${sub.id}-${log.length + 1}`,
            sub,
            'Subscription Updated',
            `New Quantity: ${item.quantity}; Status: ${sub.subscriptionStatus}; `,
            t,
          ),
        );
        state.activity.set(sub.id, log);
      } else {
        const [product, sku, plan] = findPlan(item.productId, item.skuId, item.planId);
        const customer = state.customers.get(order.customerId)!;
        const id = String(state.nextSubscriptionId++);
        const sub: IonSubscription = buildIonSubscription({
          id,
          subscriptionId: `8c1f0a2e-0000-4000-b000-${id.padStart(12, '0')}`,
          customer,
          product,
          sku,
          plan,
          quantity: item.quantity,
          start: t,
          now: t,
          resellerId: A,
          partnerName: state.partnerName,
          resellerPO: item.resellerPO,
        });
        sub.customerPO = item.endCustomerPO;
        state.subscriptions.set(id, sub);
        state.activity.set(id, [
          ionActivity(
            `act-${id}-1`,
            sub,
            'Subscription Created',
            `Offer Name: ${sku.displayName}; Quantity: ${item.quantity}; `,
            t,
          ),
        ]);
        item.resourceId = sub.subscriptionId;
        const domain = attr(item.attributes, 'domainName');
        if (domain) {
          item.attributes.push(
            { name: 'userName', value: `admin@${domain}.onmicrosoft.com` },
            { name: 'password', value: 'fake-Initial-Passw0rd' },
          );
        }
      }
    }
    setStatus(order, 'COMPLETED');
    state.progress.delete(order.orderId);
  }

  /** Moves orders along per the clock. */
  function settle(): void {
    const t = now();
    for (const [id, p] of [...state.progress]) {
      const order = state.orders.get(id);
      if (!order) {
        state.progress.delete(id);
        continue;
      }
      if (order.status === 'ON_HOLD') continue;
      if (p.readyAt <= t) finish(order);
      else if (order.status === 'NEW' && t - Date.parse(order.createTime) >= orderStartMs) {
        setStatus(order, 'IN_PROGRESS');
      }
    }
  }

  function orderOr404(customerId: string, orderId: string): IonOrder {
    const order = state.orders.get(orderId);
    if (!order || (customerId !== '-' && order.customerId !== customerId)) {
      notFound(`accounts/${A}/customers/${customerId}/orders/${orderId}`);
    }
    return order!;
  }

  function listOrders(customerId: string | undefined, query: URLSearchParams): Response {
    let list = [...state.orders.values()];
    if (customerId && customerId !== '-') {
      customerOr404(customerId);
      list = list.filter((o) => o.customerId === customerId);
    }
    const status = query.get('status');
    if (status) list = list.filter((o) => o.status === status.toUpperCase());
    const desc = (query.get('sortOrder') ?? 'DESC').toUpperCase() !== 'ASC';
    const key = query.get('sortBy') === 'updateTime' ? 'updateTime' : 'createTime';
    list.sort((x, y) => {
      const c = x[key].localeCompare(y[key]) || Number(x.orderId) - Number(y.orderId);
      return desc ? -c : c;
    });
    const { page, nextPageToken } = tokenPage(list, query);
    return HttpResponse.json({ orders: clone(page), nextPageToken } as Json);
  }

  // ---- Routes ------------------------------------------------------------------------------------------------

  function productWire(p: IonProduct) {
    return {
      name: `accounts/${A}/products/${p.id}`,
      type: 'SUBSCRIPTION_PRODUCTS',
      disabled: false,
      marketing: { displayName: p.displayName, description: p.description },
      definition: {
        skus: p.skus.map((s) => ({
          id: s.id,
          displayName: s.displayName,
          description: s.description,
          productCloudProviderName: p.providerName,
          plans: s.plans.map((pl) => ({ id: pl.id, displayName: pl.displayName, billingPeriod: pl.billingPeriod })),
        })),
      },
    };
  }

  function api(req: FakeRequest, rest: string, accountId: string): Response {
    requireBearer(req, accountId);
    settle();
    const q = req.query;
    const get = req.method === 'GET';
    const on = (method: string, re: RegExp): string[] | undefined =>
      req.method === method ? re.exec(rest)?.slice(1) : undefined;
    let m: string[] | undefined;
    if (get && rest === '/customers') {
      let list = [...state.customers.values()];
      const name = q.get('filter.customerName');
      if (name) list = list.filter((c) => c.customerOrganization.toLowerCase().includes(name.toLowerCase()));
      const email = q.get('filter.customerEmail');
      if (email) list = list.filter((c) => c.customerEmail.toLowerCase() === email.toLowerCase());
      const status = q.get('filter.customerStatus');
      if (status && status !== 'CUSTOMER_STATUS_UNSPECIFIED') list = list.filter((c) => c.customerStatus === status);
      const { page, nextPageToken } = tokenPage(list, q);
      return HttpResponse.json({ customers: clone(page), nextPageToken } as Json);
    }
    m = on('GET', /^\/customers\/([^/]+)$/);
    if (m) {
      return HttpResponse.json(clone(customerOr404(m[0]!)) as unknown as Json);
    }
    if (get && rest === '/subscriptions') {
      let list = [...state.subscriptions.values()];
      const filters: [string, (s: IonSubscription, v: string) => boolean][] = [
        ['customerId', (s, v) => s.customerId === v],
        ['subscriptionId', (s, v) => s.subscriptionId === v],
        ['subscriptionStatus', (s, v) => s.subscriptionStatus.toLowerCase() === v.toLowerCase()],
        ['ccpProductId', (s, v) => s.ccpProductId === v],
        ['billingTerm', (s, v) => s.subscriptionBillingTerm === v],
      ];
      for (const [key, test] of filters) {
        const v = q.get(key);
        if (v) list = list.filter((s) => test(s, v));
      }
      const limitRaw = q.get('pagination.limit');
      const offsetRaw = q.get('pagination.offset');
      const limit = limitRaw ? Number(limitRaw) : 100;
      const offset = offsetRaw ? Number(offsetRaw) : 0;
      if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) {
        fail(400, 'INVALID_REQUEST', 'invalid pagination parameters');
      }
      const sortDesc = (q.get('pagination.sortOrder') ?? 'ASC').toUpperCase() === 'DESC';
      list.sort((x, y) => (sortDesc ? -1 : 1) * (Number(x.id) - Number(y.id)));
      const items = list.slice(offset, offset + Math.min(limit, 1000));
      return HttpResponse.json({
        items: clone(items),
        totalCount: String(list.length),
        paginationResponse: { totalSize: list.length },
      } as unknown as Json);
    }
    m = on('GET', /^\/customers\/([^/]+)\/subscriptions\/([^/]+)$/);
    if (m) {
      customerOr404(m[0]!);
      const sub = state.subscriptions.get(m[1]!);
      if (!sub || sub.customerId !== m[0]) fail(404, 'NOT_FOUND', `Subscription ${m[1]} not found`);
      const logs = state.activity.get(sub!.id) ?? [];
      return HttpResponse.json({
        ...clone(sub!),
        activityLogs: { totalCount: String(logs.length), items: clone(logs) },
      } as unknown as Json);
    }
    if (get && rest === '/products') {
      let list = [...state.products.values()];
      const name = q.get('filter.name');
      if (name) list = list.filter((p) => p.displayName.toLowerCase().includes(name.toLowerCase()));
      const provider = q.get('filter.cloudProviderId');
      if (provider) list = list.filter((p) => p.cloudProviderId === provider);
      const mpn = q.get('filter.mfgPartNumber');
      if (mpn) list = list.filter((p) => p.skus.some((s) => s.plans.some((pl) => pl.mfgPartNumber === mpn)));
      const { page, nextPageToken } = tokenPage(list, q);
      return HttpResponse.json({
        products: page.map(productWire),
        nextPageToken,
        categories: [],
        verticals: [],
        charges: [],
      } as unknown as Json);
    }
    if (get && rest === '/orders') return listOrders(undefined, q);
    m = on('GET', /^\/customers\/([^/]+)\/orders$/);
    if (m) return listOrders(m[0]!, q);
    m = on('POST', /^\/customers\/([^/]+)\/orders$/);
    if (m) {
      if (m[0] === '-') fail(400, 'INVALID_REQUEST', 'a customer id is required to place an order');
      return HttpResponse.json(clone(createOrder(m[0]!, req.body)) as unknown as Json);
    }
    m = on('GET', /^\/customers\/([^/]+)\/orders\/([^/:]+)$/);
    if (m) {
      return HttpResponse.json(clone(orderOr404(m[0]!, m[1]!)) as unknown as Json);
    }
    m = on('POST', /^\/customers\/([^/]+)\/orders\/([^/:]+):cancel$/);
    if (m) {
      const order = orderOr404(m[0]!, m[1]!);
      if (order.status !== 'NEW' && order.status !== 'ON_HOLD') {
        fail(412, 'FAILED_PRECONDITION', `order ${order.orderId} cannot be canceled in status ${order.status}`);
      }
      setStatus(order, 'CANCELED');
      state.progress.delete(order.orderId);
      appliedWrites.push({
        operation: 'CancelOrder',
        customerId: order.customerId,
        orderId: order.orderId,
        body: clone(req.body ?? null),
        at: ionDate(now()),
      });
      return HttpResponse.json(clone(order) as unknown as Json);
    }
    return fail(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`);
  }

  function dispatch(req: FakeRequest): Response {
    try {
      if (rateWindow) {
        const taken = rateWindow.take();
        if (!taken.ok) {
          return HttpResponse.json(errorBody('RESOURCE_EXHAUSTED', 'Too many requests', 429) as Json, {
            status: 429,
            headers: options.rateLimit?.retryAfter ? { 'Retry-After': String(taken.retryAfterSeconds) } : {},
          });
        }
      }
      if (req.method === 'POST' && req.path === '/oauth/token') return oauthToken(req);
      if (req.method === 'POST' && req.path === '/oauth/validateAccess') return validateAccess(req);
      const m = /^\/api\/v3\/accounts\/([^/]+)(\/.*)$/.exec(req.path);
      if (m) return api(req, m[2]!, decodeURIComponent(m[1]!));
      return fail(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`);
    } catch (e) {
      if (e instanceof IonHttpError) return HttpResponse.json(e.body as Json, { status: e.status });
      throw e;
    }
  }

  const handlers = fakeHandlers({ baseUrl, faults, log: requests, dispatch });

  const pendingOrThrow = (orderId: string): IonOrder => {
    const order = state.orders.get(orderId);
    if (!order || !state.progress.has(orderId)) throw new Error(`Order ${orderId} is not pending`);
    return order;
  };

  return {
    provider: 'td-synnex',
    baseUrl,
    handlers,
    state,
    faults,
    requests,
    credentials,
    appliedWrites,
    rateWindow,
    get issuedTokens() {
      return issuedTokens;
    },
    get refreshCount() {
      return refreshCount;
    },
    currentRefreshToken: () => state.currentRefreshToken,
    expireAllTokens() {
      for (const a of state.accessTokens.values()) a.expiresAt = Math.min(a.expiresAt, now());
    },
    expireRefreshTokens() {
      for (const r of state.refreshTokens.values()) r.expiresAt = Math.min(r.expiresAt, now());
    },
    pendingOrders() {
      settle();
      return [...state.progress.keys()];
    },
    completeOrder(orderId: string) {
      const order = pendingOrThrow(orderId);
      finish(order);
      return clone(order);
    },
    completeAll() {
      const ids = [...state.progress.keys()];
      for (const id of ids) {
        const order = state.orders.get(id);
        if (order) finish(order);
      }
      return ids.length;
    },
    failOrder(orderId: string, detail = 'The provider refused the order.') {
      const order = pendingOrThrow(orderId);
      finishWithError(order, detail);
      return clone(order);
    },
    holdOrder(orderId: string) {
      const order = pendingOrThrow(orderId);
      if (order.status !== 'NEW') throw new Error(`Order ${orderId} is ${order.status}, not NEW`);
      setStatus(order, 'ON_HOLD');
    },
    startOrder(orderId: string) {
      const order = pendingOrThrow(orderId);
      setStatus(order, 'IN_PROGRESS');
    },
    cancelSubscription(id: string) {
      const sub = state.subscriptions.get(id);
      if (!sub) throw new Error(`No subscription ${id}`);
      sub.subscriptionStatus = 'cancelled';
      sub.autoRenew = false;
      sub.subscriptionRenewStatus = 'DISABLED';
      sub.lastUpdatedDate = ionDate(now());
    },
    quantityOf(id: string) {
      const sub = state.subscriptions.get(id);
      if (!sub) throw new Error(`No subscription ${id}`);
      return Number(sub.subscriptionTotalLicenses);
    },
  };
}
