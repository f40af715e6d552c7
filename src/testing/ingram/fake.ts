import { createRandom, FaultInjector } from '../kit/faults.js';
import { type FakeRequest, fakeHandlers, type RecordedRequest } from '../kit/fake-server.js';
import { RateWindow } from '../kit/rate-window.js';
import type { Clock, VendorFake } from '../kit/types.js';
import { randomUuid, seedIngram } from './seed.js';
import {
  addMonths,
  INGRAM_CHANGE_WINDOW_DAYS,
  type IngramAppliedWrite,
  type IngramOrder,
  type IngramOrderDetail,
  type IngramOrderLineProduct,
  type IngramOrderRecord,
  type IngramOrderStatus,
  type IngramOrderType,
  type IngramProduct,
  type IngramState,
  type IngramSubscriptionRecord,
  type IngramSubscriptionStatus,
  createIngramState,
  ingramDate,
  money,
  periodMonths,
  subscriptionRow,
} from './state.js';
import { ingramAutoRenewRoute } from './billing.js';

/** Base URL of a region (`eu`, `na`, ...). */
export function ingramBaseUrl(region: string): string {
  return `https://api.cloud.im/marketplace/${region}`;
}

/** Credentials the Ingram fake accepts. */
export interface IngramCredentials {
  /** The API user (its name ends in `.API`). */
  username: string;
  password: string;
  /** `X-Subscription-Key`. */
  subscriptionKey: string;
  /** Marketplace code sent in the token request body. */
  marketplace: string;
}

/** Default fake credentials (the marketplace defaults from the region: `eu` → `eu`, `na` → `us`). */
export const INGRAM_FAKE_CREDENTIALS: Readonly<Omit<IngramCredentials, 'marketplace'>> = {
  username: 'fake-reseller.API',
  password: 'fake-ingram-password',
  subscriptionKey: 'fake-ingram-subscription-key',
};

/** Options of {@link createIngramFake}. */
export interface IngramFakeOptions {
  /** Region segment of the base URL (default `eu`). */
  region?: string;
  /** Full base URL; overrides `region`. */
  baseUrl?: string;
  credentials?: Partial<IngramCredentials>;
  /** Clock; `() => new Date()` by default. {@link IngramFake.advance} moves it forward on top of this. */
  now?: Clock;
  /** Seed Contoso Ltd and the other customers (default true). */
  seed?: boolean;
  /** Request budget per subscription key. `retryAfter` sends `Retry-After` (default true). */
  rateLimit?: { limit: number; windowMs: number; retryAfter?: boolean };
  faultSeed?: number;
  /** `expiresInSeconds` of issued tokens (default 1500). */
  tokenLifetimeSeconds?: number;
  /** How long an order stays in provisioning on the clock (default 10 000 ms). */
  provisioningMs?: number;
}

/** The Ingram fake: a {@link VendorFake} plus helpers to drive time and orders. */
export interface IngramFake extends VendorFake<IngramState, IngramCredentials> {
  readonly provider: 'ingram';
  readonly region: string;
  /** How many tokens were issued. */
  readonly issuedTokens: number;
  /** Orders the fake accepted (estimates excluded), in order. */
  readonly appliedWrites: IngramAppliedWrite[];
  /** How many requests were refused by the rate limit. */
  readonly rateLimited: number;
  /** The rate window when `rateLimit` is on. */
  readonly rateWindow: RateWindow | undefined;
  /** The fake's current time. */
  now(): Date;
  /** Moves the fake's clock forward by `ms` and finishes orders that became due. */
  advance(ms: number): void;
  /** Makes every issued token expired. */
  expireAllTokens(): void;
  /** Orders still provisioning. */
  pendingOrders(): IngramOrder[];
  /** Finishes one order now with the given outcome (default `completed`, or `error` when marked failing). */
  completeOrder(orderId: string, outcome?: 'completed' | 'error' | 'cancelled'): IngramOrder;
  /** Finishes every provisioning order now. */
  completeAll(): void;
  /** The next order on this subscription id (or MPN, for sales) ends in `error` (once per call). */
  markFailing(subscriptionIdOrMpn: string): void;
}

const DAY_MS = 86_400_000;

interface Ctx {
  req: FakeRequest;
  correlationId: string;
}

type Handler = (ctx: Ctx, match: RegExpMatchArray) => Response;

/** Answer thrown by validation helpers and turned into the response. */
class Refusal {
  constructor(readonly response: Response) {}
}

/** Creates a stateful msw fake of the Ingram Micro Cloud Marketplace API. */
export function createIngramFake(options: IngramFakeOptions = {}): IngramFake {
  const region = options.region ?? 'eu';
  const baseUrl = (options.baseUrl ?? ingramBaseUrl(region)).replace(/\/+$/, '');
  const credentials: IngramCredentials = {
    ...INGRAM_FAKE_CREDENTIALS,
    marketplace: region === 'na' ? 'us' : region,
    ...options.credentials,
  };
  const baseClock = options.now ?? (() => new Date());
  let offsetMs = 0;
  const nowMs = (): number => baseClock().getTime() + offsetMs;
  const lifetime = options.tokenLifetimeSeconds ?? 1500;
  const provisioningMs = options.provisioningMs ?? 10_000;
  const state = createIngramState();
  if (options.seed !== false) seedIngram(state, nowMs());
  const faults = new FaultInjector(options.faultSeed ?? 1);
  const requests: RecordedRequest[] = [];
  const appliedWrites: IngramAppliedWrite[] = [];
  const ids = createRandom(0x0c0d_1a6e);
  const rateWindow = options.rateLimit
    ? new RateWindow({ limit: options.rateLimit.limit, windowMs: options.rateLimit.windowMs, now: nowMs })
    : undefined;
  let issued = 0;

  // ---- answers ---------------------------------------------------------------------------------

  const json = (ctx: Ctx, body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', 'X-Correlation-ID': ctx.correlationId, ...headers },
    });
  /** The API's own error body (`message` shape). */
  const fail = (ctx: Ctx, status: number, message: string, headers: Record<string, string> = {}): Response =>
    json(
      ctx,
      {
        timeStamp: new Date(nowMs()).toISOString().replace('Z', '+00:00'),
        status,
        message,
        path: new URL(baseUrl).pathname + ctx.req.path,
        correlationId: ctx.correlationId,
      },
      status,
      headers,
    );
  /** The framework's error body (`error` shape): unknown routes, malformed requests. */
  const frameworkFail = (ctx: Ctx, status: number, error: string): Response =>
    json(
      ctx,
      {
        timestamp: new Date(nowMs()).toISOString(),
        status,
        error,
        path: new URL(baseUrl).pathname + ctx.req.path,
        correlationId: ctx.correlationId,
      },
      status,
    );
  const refuse = (ctx: Ctx, status: number, message: string): never => {
    throw new Refusal(fail(ctx, status, message));
  };

  // ---- orders ----------------------------------------------------------------------------------

  const finish = (rec: IngramOrderRecord, outcome?: 'completed' | 'error' | 'cancelled'): void => {
    const at = nowMs();
    const order = rec.order;
    const keys = [...rec.subscriptionIds, ...(order.products ?? []).map((p) => p.mpn)];
    const marked = keys.find((k) => state.failing.has(k));
    const result = outcome ?? (marked ? 'error' : 'completed');
    if (marked && result === 'error') state.failing.delete(marked);
    order.status = result;
    order.statusCode = result === 'completed' ? 'CP' : result === 'error' ? 'ER' : 'CL';
    order.provisioningDate = new Date(at).toISOString();
    for (const subId of rec.subscriptionIds) {
      const sub = state.subscriptions.get(subId);
      if (!sub) continue;
      const s = sub.subscription;
      if (order.type === 'sales') {
        s.status = result === 'completed' ? 'active' : 'removed';
      } else if (result === 'completed' && order.type === 'change') {
        const target = rec.targets[subId];
        const line = s.products[0];
        if (target !== undefined && line) {
          const unit = Number(line.unitPrice.amount);
          const before = line.quantity;
          line.quantity = target;
          line.extendedPrice = money(unit * target);
          s.totalPrice = money(unit * target);
          // seats added now may be removed again during a fresh window
          if (target > before && sub.changeWindowEnd !== null) {
            sub.changeWindowEnd = Math.max(sub.changeWindowEnd, at + INGRAM_CHANGE_WINDOW_DAYS * DAY_MS);
          }
        }
      } else if (result === 'completed' && order.type === 'cancellation') {
        s.status = 'terminated';
        s.renewalStatus = false;
      }
      if (result === 'completed') s.lastModifiedDate = ingramDate(at);
    }
  };

  const settle = (): void => {
    const at = nowMs();
    for (const rec of state.orders.values()) {
      if (rec.order.status === 'processing' && at >= rec.dueAt) finish(rec);
    }
  };

  const provisioningOn = (subscriptionId: string): IngramOrderRecord | undefined =>
    [...state.orders.values()].find(
      (o) => o.order.status === 'processing' && o.subscriptionIds.includes(subscriptionId),
    );

  // ---- order validation ------------------------------------------------------------------------

  interface Planned {
    type: IngramOrderType;
    customerId: string;
    poNumber?: string;
    products: IngramOrderLineProduct[];
    details: IngramOrderDetail[];
    subscriptionIds: string[];
    targets: Record<string, number>;
    sales: { product: IngramProduct; quantity: number }[];
  }

  const asObject = (v: unknown): Record<string, unknown> | undefined =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

  const detail = (type: string, p: IngramProduct, quantity: number, unit: number): IngramOrderDetail => ({
    type,
    mpn: p.mpn,
    productId: p.id,
    duration: p.billingPeriod,
    description: `${p.name} from ${ingramDate(nowMs())} through ${ingramDate(addMonths(nowMs(), periodMonths(p.billingPeriod) || 1) - DAY_MS)}`,
    quantity,
    unitPrice: money(unit),
    extendedPrice: money(unit * quantity),
  });

  const checkQuantity = (ctx: Ctx, p: IngramProduct, q: unknown): number => {
    if (typeof q !== 'number' || !Number.isInteger(q)) return refuse(ctx, 400, 'Quantity must be an integer number.');
    const min = Number(p.minimumQuantity);
    const max = Number(p.maximumQuantity);
    if (q < min || q > max) {
      return refuse(ctx, 400, `Quantity ${q} of product ${p.mpn} is out of the allowed range ${min}..${max}.`);
    }
    return q;
  };

  /** The subscription a change or cancellation works on, with the vendor's checks. */
  const targetSubscription = (ctx: Ctx, customerId: string, id: unknown): IngramSubscriptionRecord => {
    if (typeof id !== 'string' || !id) return refuse(ctx, 400, 'subscriptionId is required for this order type.');
    const rec = state.subscriptions.get(id);
    if (!rec || rec.subscription.customerId !== customerId) {
      return refuse(ctx, 404, `Subscription ${id} not found.`);
    }
    if (rec.subscription.status !== 'active') {
      return refuse(ctx, 400, `Subscription ${id} is in status '${rec.subscription.status}' and cannot be changed.`);
    }
    const conflict = provisioningOn(id);
    if (conflict) {
      // as the vendor does: a 500 naming the conflicting order
      return refuse(
        ctx,
        500,
        `Cannot Upgrade/Downgrade subscription ${id}: order ${conflict.order.orderNumber} for this subscription is ` +
          'in status "Provisioning is in progress". Please either cancel conflicting order or wait for its completion.',
      );
    }
    return rec;
  };

  const windowCheck = (ctx: Ctx, rec: IngramSubscriptionRecord, what: string): void => {
    if (rec.changeWindowEnd !== null && nowMs() > rec.changeWindowEnd) {
      refuse(
        ctx,
        400,
        `Subscription ${rec.subscription.id}: ${what} is allowed only within ${INGRAM_CHANGE_WINDOW_DAYS} days after ` +
          `purchase or renewal (the window ended ${ingramDate(rec.changeWindowEnd)}); next renewal ` +
          `${rec.subscription.renewalDate}.`,
      );
    }
  };

  const planOrder = (ctx: Ctx): Planned => {
    const body = asObject(ctx.req.body);
    if (!body) throw new Refusal(frameworkFail(ctx, 400, 'Bad Request'));
    const type = (body.type ?? 'sales') as IngramOrderType;
    const customerId = body.customerId;
    if (typeof customerId !== 'string' || !customerId) return refuse(ctx, 400, 'customerId is required.');
    const customer = state.customers.get(customerId);
    if (!customer) return refuse(ctx, 404, `Customer ${customerId} not found.`);
    const lines = Array.isArray(body.products) ? (body.products as unknown[]).map((l) => asObject(l) ?? {}) : [];
    const plan: Planned = {
      type,
      customerId,
      poNumber: typeof body.poNumber === 'string' ? body.poNumber : undefined,
      products: [],
      details: [],
      subscriptionIds: [],
      targets: {},
      sales: [],
    };
    if (type === 'sales') {
      if (customer.status !== 'active') {
        return refuse(ctx, 400, `Customer ${customerId} is in status '${customer.status}'; orders are not allowed.`);
      }
      if (lines.length === 0) return refuse(ctx, 400, 'At least one product is required.');
      for (const line of lines) {
        const candidates = state.products.filter(
          (p) =>
            (line.mpn === undefined || p.mpn === line.mpn) &&
            (line.id === undefined || p.id === line.id) &&
            (line.vendor === undefined || p.vendor === line.vendor),
        );
        if ((line.mpn === undefined && line.id === undefined) || candidates.length === 0) {
          return refuse(ctx, 400, `Product with MPN '${String(line.mpn ?? line.id)}' not found.`);
        }
        const p = candidates[0] as IngramProduct;
        const quantity = checkQuantity(ctx, p, line.quantity);
        plan.sales.push({ product: p, quantity });
        plan.products.push({ mpn: p.mpn, vendor: p.vendor, id: p.id, name: p.name, quantity });
        plan.details.push(detail('recurring', p, quantity, Number(p.prices[0]?.amount ?? '0')));
      }
      return plan;
    }
    if (type === 'change') {
      if (lines.length === 0) return refuse(ctx, 400, 'At least one product is required.');
      for (const line of lines) {
        const rec = targetSubscription(ctx, customerId, line.subscriptionId ?? body.subscriptionId);
        const s = rec.subscription;
        const current = s.products[0];
        if (!current) return refuse(ctx, 400, `Subscription ${s.id} has no product.`);
        if (line.newMPN !== undefined || line.newId !== undefined) {
          return refuse(ctx, 400, 'Upgrades (newMPN/newId) are not supported by this fake.');
        }
        if (line.mpn !== undefined && line.mpn !== current.mpn) {
          return refuse(ctx, 400, `Product with MPN '${String(line.mpn)}' is not part of subscription ${s.id}.`);
        }
        const product = state.products.find((p) => p.mpn === current.mpn);
        if (!product) return refuse(ctx, 400, `Product with MPN '${current.mpn}' not found.`);
        const target = checkQuantity(ctx, product, line.quantity);
        if (target === current.quantity) {
          return refuse(ctx, 400, `Subscription ${s.id} already has quantity ${target}; nothing to change.`);
        }
        if (target < current.quantity) windowCheck(ctx, rec, 'a quantity decrease');
        const delta = target - current.quantity;
        plan.subscriptionIds.push(s.id);
        plan.targets[s.id] = target;
        plan.products.push({
          mpn: current.mpn,
          vendor: current.vendor,
          id: current.id,
          name: current.name,
          quantity: delta,
          subscriptionId: s.id,
          billingPeriod: s.billingPeriod,
          subscriptionPeriod: s.subscriptionPeriod,
        });
        plan.details.push(
          detail(delta > 0 ? 'recurring' : 'downgrade', product, delta, Number(current.unitPrice.amount)),
        );
      }
      return plan;
    }
    if (type === 'cancellation') {
      const rec = targetSubscription(ctx, customerId, body.subscriptionId ?? lines[0]?.subscriptionId);
      windowCheck(ctx, rec, 'a cancellation');
      plan.subscriptionIds.push(rec.subscription.id);
      return plan;
    }
    return refuse(ctx, 400, `Order type '${String(type)}' is not supported by this fake.`);
  };

  const orderView = (
    plan: Planned,
  ): Omit<IngramOrder, 'id' | 'orderNumber' | 'creationDate' | 'status' | 'statusCode'> => {
    const total = plan.details.reduce((sum, d) => sum + Number(d.extendedPrice.amount), 0);
    const view: Omit<IngramOrder, 'id' | 'orderNumber' | 'creationDate' | 'status' | 'statusCode'> = {
      type: plan.type,
      customerId: plan.customerId,
      total: money(total),
      details: plan.details,
      attributes: {},
    };
    if (plan.poNumber !== undefined) view.poNumber = plan.poNumber;
    if (plan.type !== 'cancellation') view.products = plan.products;
    if (plan.type !== 'sales' && plan.subscriptionIds.length === 1) view.subscriptionId = plan.subscriptionIds[0];
    return view;
  };

  const placeOrder = (ctx: Ctx): Response => {
    const plan = planOrder(ctx);
    const at = nowMs();
    for (const sale of plan.sales) {
      const id = String(state.nextIds.subscription++);
      const p = sale.product;
      const months = periodMonths(p.subscriptionPeriod) || 1;
      const unit = Number(p.prices[0]?.amount ?? '0');
      const committed = p.billingModel !== 'chargeExternalRating' && p.vendor === 'Microsoft';
      state.subscriptions.set(id, {
        createdAt: at,
        changeWindowEnd: committed ? at + INGRAM_CHANGE_WINDOW_DAYS * DAY_MS : null,
        subscription: {
          id,
          name: p.name,
          customerId: plan.customerId,
          status: 'pending',
          attributes: {},
          renewalStatus: true,
          creationDate: ingramDate(at),
          renewalDate: ingramDate(addMonths(at, months)),
          lastModifiedDate: ingramDate(at),
          expirationDate: ingramDate(addMonths(at, months)),
          billingModel: p.billingModel,
          billingPeriod: p.billingPeriod,
          subscriptionPeriod: p.subscriptionPeriod,
          totalPrice: money(unit * sale.quantity),
          products: [
            {
              mpn: p.mpn,
              vendor: p.vendor,
              id: p.id,
              quantity: sale.quantity,
              name: p.name,
              unitPrice: money(unit),
              unitCost: money(Number(p.costs[0]?.amount ?? '0')),
              extendedPrice: money(unit * sale.quantity),
              vendorSubscriptionId: randomUuid(ids),
            },
          ],
          orderParameters: [],
          fulfillmentParameters: [],
          planId: 100 + state.products.indexOf(p),
        },
      });
      plan.subscriptionIds.push(id);
      const line = plan.products[plan.subscriptionIds.length - 1];
      if (line) line.subscriptionId = id;
    }
    const n = state.nextIds.order++;
    const order: IngramOrder = {
      id: String(n),
      orderNumber: `SO${String(n)}`,
      creationDate: new Date(at).toISOString(),
      status: 'processing',
      statusCode: 'AS',
      ...orderView(plan),
    };
    state.orders.set(order.id, {
      order,
      createdAt: at,
      dueAt: at + provisioningMs,
      subscriptionIds: plan.subscriptionIds,
      targets: plan.targets,
    });
    appliedWrites.push({
      at: order.creationDate,
      method: ctx.req.method,
      path: ctx.req.path,
      body: ctx.req.body,
      orderId: order.id,
    });
    return json(ctx, order, 201);
  };

  // ---- paging ----------------------------------------------------------------------------------

  const page = <T>(ctx: Ctx, all: T[]): Response => {
    const parse = (name: string, def: number, min: number): number => {
      const raw = ctx.req.query.get(name);
      if (raw === null) return def;
      if (!/^\d+$/.test(raw)) throw new Refusal(frameworkFail(ctx, 400, 'Bad Request'));
      const v = Number(raw);
      if (v < min) return refuse(ctx, 400, `${name} must be greater than or equal to ${min}.`);
      return v;
    };
    const offset = parse('offset', 0, 0);
    const limit = parse('limit', 10, 1);
    return json(ctx, { data: all.slice(offset, offset + limit), pagination: { offset, limit, total: all.length } });
  };

  const similar = (value: string, query: string | null): boolean =>
    query === null || value.toLowerCase().includes(query.toLowerCase());

  const SUBSCRIPTION_STATUSES: IngramSubscriptionStatus[] = [
    'pending',
    'active',
    'hold',
    'terminated',
    'removed',
    'unknown',
  ];
  const ORDER_STATUSES: IngramOrderStatus[] = ['submitted', 'processing', 'error', 'completed', 'cancelled'];

  // ---- routes ----------------------------------------------------------------------------------

  const routes: { method: string; path: RegExp; handle: Handler }[] = [
    // Auto-renew (PATCH renewalStatus): testing/ingram/billing.ts.
    ingramAutoRenewRoute({
      state,
      json: (ctx, body) => json(ctx, body),
      fail: (ctx, status, message) => fail(ctx, status, message),
    }),
    {
      method: 'GET',
      path: /^\/customers\/?$/,
      handle: (ctx) => {
        const q = ctx.req.query;
        const all = [...state.customers.values()]
          .reverse()
          .filter(
            (c) =>
              similar(c.name, q.get('name')) &&
              (q.get('externalId') === null || c.externalId === q.get('externalId')) &&
              (q.get('email') === null || c.contactPersons.some((p) => p.email === q.get('email'))) &&
              (q.get('resellerId') === null || c.resellerId === q.get('resellerId')),
          );
        return page(ctx, all);
      },
    },
    {
      method: 'GET',
      path: /^\/customers\/([^/]+)\/?$/,
      handle: (ctx, m) => {
        const id = decodeURIComponent(m[1] ?? '');
        const c = state.customers.get(id);
        return c ? json(ctx, c) : fail(ctx, 404, `Customer ${id} not found.`);
      },
    },
    {
      method: 'GET',
      path: /^\/products\/?$/,
      handle: (ctx) => {
        const q = ctx.req.query;
        const all = state.products.filter(
          (p) =>
            similar(p.name, q.get('name')) &&
            similar(p.serviceName, q.get('serviceName')) &&
            (q.get('mpn') === null || p.mpn === q.get('mpn')) &&
            (q.get('vendor') === null || p.vendor === q.get('vendor')),
        );
        return page(ctx, all);
      },
    },
    {
      method: 'GET',
      path: /^\/subscriptions\/?$/,
      handle: (ctx) => {
        const q = ctx.req.query;
        const status = q.get('status');
        if (status !== null && !SUBSCRIPTION_STATUSES.includes(status as IngramSubscriptionStatus)) {
          return fail(ctx, 400, `Invalid value '${status}' for parameter status.`);
        }
        const customerId = q.get('customerId');
        const all = [...state.subscriptions.values()]
          .filter(
            (r) =>
              (customerId === null || r.subscription.customerId === customerId) &&
              (status === null || r.subscription.status === status),
          )
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((r) => subscriptionRow(r.subscription));
        return page(ctx, all);
      },
    },
    {
      method: 'GET',
      path: /^\/subscriptions\/([^/]+)\/?$/,
      handle: (ctx, m) => {
        const id = decodeURIComponent(m[1] ?? '');
        const rec = state.subscriptions.get(id);
        return rec ? json(ctx, rec.subscription) : fail(ctx, 404, `Subscription ${id} not found.`);
      },
    },
    {
      method: 'GET',
      path: /^\/orders\/?$/,
      handle: (ctx) => {
        const q = ctx.req.query;
        const status = q.get('status');
        if (status !== null && !ORDER_STATUSES.includes(status as IngramOrderStatus)) {
          return fail(ctx, 400, `Invalid value '${status}' for parameter status.`);
        }
        const all = [...state.orders.values()]
          .filter(
            (r) =>
              (q.get('customerId') === null || r.order.customerId === q.get('customerId')) &&
              (q.get('subscriptionId') === null || r.subscriptionIds.includes(q.get('subscriptionId') ?? '')) &&
              (q.get('orderNumber') === null || r.order.orderNumber === q.get('orderNumber')) &&
              (status === null || r.order.status === status),
          )
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((r) => r.order);
        return page(ctx, all);
      },
    },
    {
      // Activation parameters: each is `success`, except a `domain` that is not a host name (the fake's one rule).
      method: 'POST',
      path: /^\/validation\/parameters\/?$/,
      handle: (ctx) => {
        const body = asObject(ctx.req.body);
        if (!body || typeof body.customerId !== 'string' || !Array.isArray(body.products)) {
          return fail(ctx, 400, 'customerId and products are required.');
        }
        if (!state.customers.get(body.customerId)) return fail(ctx, 404, `Customer ${body.customerId} not found.`);
        const data = (body.products as unknown[]).map((raw) => {
          const line = asObject(raw) ?? {};
          const params = Array.isArray(line.parameters)
            ? (line.parameters as unknown[]).map((p) => asObject(p) ?? {})
            : [];
          return {
            mpn: line.mpn,
            parameters: params.map((p) => {
              const bad =
                p.name === 'domain' && !(typeof p.value === 'string' && /^[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(p.value));
              return {
                name: p.name,
                result: bad ? 'error' : 'success',
                message: bad ? 'Domain name is not valid.' : 'Parameter is valid.',
              };
            }),
          };
        });
        return json(ctx, { data, pagination: { offset: 0, limit: data.length, total: data.length } });
      },
    },
    {
      method: 'POST',
      path: /^\/orders\/estimate\/?$/,
      handle: (ctx) => json(ctx, orderView(planOrder(ctx))),
    },
    {
      method: 'GET',
      path: /^\/orders\/([^/]+)\/?$/,
      handle: (ctx, m) => {
        const id = decodeURIComponent(m[1] ?? '');
        const rec = state.orders.get(id);
        return rec ? json(ctx, rec.order) : fail(ctx, 404, `Order ${id} not found.`);
      },
    },
    {
      method: 'POST',
      path: /^\/orders\/?$/,
      handle: (ctx) => placeOrder(ctx),
    },
  ];

  // ---- dispatch --------------------------------------------------------------------------------

  const issueToken = (ctx: Ctx): Response => {
    const basic = /^Basic\s+(.+)$/i.exec(ctx.req.headers.get('authorization') ?? '')?.[1];
    const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    if (sep < 0 || decoded.slice(0, sep) !== credentials.username || decoded.slice(sep + 1) !== credentials.password) {
      return fail(ctx, 401, 'Bad credentials');
    }
    const body = ctx.req.body === undefined ? {} : asObject(ctx.req.body);
    if (!body) return frameworkFail(ctx, 400, 'Bad Request');
    const marketplace = body.marketplace;
    if (typeof marketplace !== 'string' || marketplace === '') {
      return fail(ctx, 401, 'Marketplace is not specified');
    }
    if (marketplace !== credentials.marketplace) {
      return fail(ctx, 401, `User ${credentials.username} is not allowed in marketplace '${marketplace}'`);
    }
    issued += 1;
    let token = `fake-ingram-token-${issued}-`;
    for (let i = 0; i < 24; i++) token += Math.floor(ids() * 36).toString(36);
    state.tokens.set(token, { marketplace, expiresAt: nowMs() + lifetime * 1000 });
    return json(ctx, { token, expiresInSeconds: lifetime });
  };

  const dispatch = (req: FakeRequest): Response => {
    settle();
    const ctx: Ctx = { req, correlationId: `a8n-${randomUuid(ids)}` };
    const isToken = /^\/token\/?$/.test(req.path);
    let route: { handle: Handler; match: RegExpMatchArray } | undefined;
    let pathKnown = isToken;
    for (const r of routes) {
      const match = req.path.match(r.path);
      if (!match) continue;
      pathKnown = true;
      if (r.method === req.method) {
        route = { handle: r.handle, match };
        break;
      }
    }
    if (isToken && req.method !== 'POST') return frameworkFail(ctx, 405, 'Method Not Allowed');
    if (!route && !isToken)
      return frameworkFail(ctx, pathKnown ? 405 : 404, pathKnown ? 'Method Not Allowed' : 'Not Found');
    const key = req.headers.get('x-subscription-key');
    if (!key) {
      return fail(
        ctx,
        401,
        'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
      );
    }
    if (key !== credentials.subscriptionKey) {
      return fail(
        ctx,
        401,
        'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
      );
    }
    if (rateWindow) {
      const verdict = rateWindow.take(key);
      if (!verdict.ok) {
        const headers: Record<string, string> =
          options.rateLimit?.retryAfter === false ? {} : { 'Retry-After': String(verdict.retryAfterSeconds) };
        return fail(ctx, 429, `Rate limit is exceeded. Try again in ${verdict.retryAfterSeconds} seconds.`, headers);
      }
    }
    try {
      if (isToken) return issueToken(ctx);
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.get('authorization') ?? '')?.[1];
      if (!bearer) return fail(ctx, 401, 'Full authentication is required to access this resource');
      const token = state.tokens.get(bearer);
      if (!token || token.expiresAt <= nowMs()) return fail(ctx, 401, 'Access token is invalid or expired');
      return route ? route.handle(ctx, route.match) : frameworkFail(ctx, 404, 'Not Found');
    } catch (e) {
      if (e instanceof Refusal) return e.response;
      throw e;
    }
  };

  const handlers = fakeHandlers({ baseUrl, faults, log: requests, dispatch });

  const fake: IngramFake = {
    provider: 'ingram',
    region,
    baseUrl,
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
    pendingOrders: () => [...state.orders.values()].filter((o) => o.order.status === 'processing').map((o) => o.order),
    completeOrder(orderId, outcome) {
      const rec = state.orders.get(orderId);
      if (!rec) throw new Error(`ingram fake: no order ${orderId}`);
      if (rec.order.status === 'processing') finish(rec, outcome);
      return rec.order;
    },
    completeAll() {
      for (const rec of state.orders.values()) if (rec.order.status === 'processing') finish(rec);
    },
    markFailing(key) {
      state.failing.add(key);
    },
  };
  return fake;
}
