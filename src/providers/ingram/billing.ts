import { reportOddRecord } from '../../core/billing-wire.js';
import { NotFoundError } from '../../core/errors.js';
import type { EventHub } from '../../core/events.js';
import type { HttpRequest, HttpResponse } from '../../core/http.js';
import type { ListOrdersOptions, ProductPricingOptions } from '../../core/marketplace-client.js';
import type { PagedList } from '../../core/pagination.js';
import type { WireContext } from '../../core/wire.js';
import type { Order, ProductPricing } from '../../model/billing.js';
import { mapIngramOrder, mapIngramPricing } from './billing-map.js';
import { mapPage } from './map.js';

/** What the billing reads need from the Ingram client. */
export interface IngramBillingDeps {
  send<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>;
  /** The client's offset/limit listing. */
  paged<T>(
    operation: string,
    path: string,
    query: Record<string, string | undefined>,
    /** `offset`: the page's offset (pages may be mapped out of order when read ahead). */
    mapRows: (rows: unknown[], ctx: WireContext, signal: AbortSignal, offset: number) => T[],
    signal?: AbortSignal,
  ): PagedList<T>;
  events: EventHub;
  pageSize: number;
}

/** `GET /orders[?customerId=]` (Ingram's spec), newest first as Ingram lists them. */
export function ingramOrders(deps: IngramBillingDeps, options: ListOrdersOptions): PagedList<Order> {
  return deps.paged(
    'listOrders',
    '/orders',
    { customerId: options.customerId },
    // The position in the listing (offset based: pages read ahead may be mapped out of order).
    (rows, _ctx, _signal, offset) =>
      rows.map((raw, i) => {
        const m = mapIngramOrder(raw, `#${offset + i + 1}`);
        reportOddRecord(deps.events, 'ingram', 'listOrders', 'order', m.value.id, m.problems, m.value);
        return m.value;
      }),
    options.signal,
  );
}

/**
 * `GET /products?mpn=` (Ingram's spec): the rows whose MPN is `productId` (the SDK's Ingram product id). The
 * catalog is the reseller's, not per customer: `customerId` does not change the answer (`customerId: null`).
 */
export async function ingramProductPricing(
  deps: IngramBillingDeps,
  productId: string,
  options: ProductPricingOptions,
): Promise<ProductPricing> {
  const res = await deps.send({
    operation: 'getProductPricing',
    method: 'GET',
    path: '/products',
    query: { mpn: productId, offset: 0, limit: deps.pageSize },
    signal: options.signal,
  });
  const env = mapPage(res.data, { provider: 'ingram', operation: 'getProductPricing', requestId: res.vendorRequestId });
  const want = productId.toLowerCase();
  const rows = env.data.filter((row) => String((row as { mpn?: unknown } | null)?.mpn ?? '').toLowerCase() === want);
  if (rows.length === 0) {
    throw new NotFoundError(`getProductPricing: Ingram Micro lists no product with MPN ${productId}`, {
      provider: 'ingram',
      operation: 'getProductPricing',
      hint: 'Ingram product ids are MPNs, as listProducts returns them.',
    });
  }
  const m = mapIngramPricing(rows, productId);
  reportOddRecord(deps.events, 'ingram', 'getProductPricing', 'product pricing', productId, m.problems, m.value);
  return m.value;
}
