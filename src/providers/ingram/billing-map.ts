import { RecordReader, missingId } from '../../core/billing-wire.js';
import type { Order, OrderStatus, ProductPrice, ProductPricing } from '../../model/billing.js';
import type { Money } from '../../model/common.js';
import { ingramBillingTerm, periodToIso } from './map.js';

/** A mapped billing record and what could not be read of it (empty when everything was read). */
export interface Mapped<T> {
  value: T;
  problems: string[];
}

const PROVIDER = 'ingram';

const ORDER_STATUS: Record<string, OrderStatus> = {
  submitted: 'pending',
  processing: 'pending',
  completed: 'completed',
  error: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

/** A `{ type, duration }` period, or undefined. */
function period(r: RecordReader, path: string): { type: string; duration: number } | undefined {
  const type = r.text(`${path}.type`);
  const duration = r.number(`${path}.duration`);
  return type !== null && duration !== null ? { type: type.toLowerCase(), duration } : undefined;
}

/** The first money entry of `type` (`recurring` by default) in a `prices`/`costs` list. */
function moneyOf(r: RecordReader, path: string, type = 'recurring'): Money | null {
  const list = r.get(path);
  if (!Array.isArray(list)) {
    if (list !== undefined && list !== null) r.problems.push(`${path} is not a list`);
    return null;
  }
  const entries = list.map((e) => new RecordReader(e));
  const pick =
    entries.find((e) => e.text('type')?.toLowerCase() === type) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!pick) return null;
  const amount = pick.number('amount');
  r.problems.push(...pick.problems.map((p) => `${path}: ${p}`));
  return amount === null ? null : { amount, currency: pick.text('currency') };
}

/**
 * `GET /orders` row (or `OrderDetailed`) -> {@link Order}. Ingram's status: `submitted`/`processing` -> `pending`,
 * `error` -> `failed`. Line quantities are as Ingram gives them: on a change order read back, a signed delta.
 */
export function mapIngramOrder(raw: unknown, position: string): Mapped<Order> {
  const r = new RecordReader(raw);
  let id = r.text('id');
  if (id === null) {
    r.problems.push('id is missing');
    id = missingId('order', position);
  }
  const rawStatus = r.text('status');
  const lines: Order['lines'] = [];
  const products = r.get('products');
  if (Array.isArray(products)) {
    for (const p of products) {
      const l = new RecordReader(p);
      const sp = period(l, 'subscriptionPeriod');
      lines.push({
        productId: l.text('mpn') ?? l.text('id'),
        subscriptionId: l.text('subscriptionId') ?? r.text('subscriptionId'),
        quantity: l.number('quantity'),
        billingTerm: ingramBillingTerm(sp),
        description: l.text('name'),
      });
      r.problems.push(...l.problems.map((m) => `products: ${m}`));
    }
  } else if (products !== undefined && products !== null) {
    r.problems.push('products is not a list');
  }
  return {
    value: {
      provider: PROVIDER,
      id,
      customerId: r.text('customerId'),
      status: rawStatus ? (ORDER_STATUS[rawStatus.toLowerCase()] ?? 'unknown') : 'unknown',
      rawStatus,
      createdAt: r.date('creationDate'),
      lines,
      raw,
    },
    problems: r.problems,
  };
}

/**
 * The catalog rows of one MPN (`GET /products?mpn=`) -> {@link ProductPricing}: one price per row (an MPN is one
 * way to buy: its billing period, its commitment, its `recurring` price and cost; `minimumQuantity` and
 * `maximumQuantity` are strings on the wire).
 */
export function mapIngramPricing(rows: unknown[], productId: string): Mapped<ProductPricing> {
  const problems: string[] = [];
  const prices: ProductPrice[] = rows.map((row, i) => {
    const r = new RecordReader(row);
    const sp = period(r, 'subscriptionPeriod');
    const price: ProductPrice = {
      billingTerm: ingramBillingTerm(period(r, 'billingPeriod')),
      commitmentTerm: periodToIso(sp) === 'P12M' ? 'P1Y' : periodToIso(sp),
      price: moneyOf(r, 'prices'),
      cost: moneyOf(r, 'costs'),
      minQuantity: r.number('minimumQuantity'),
      maxQuantity: r.number('maximumQuantity'),
    };
    problems.push(...r.problems.map((m) => `row ${i}: ${m}`));
    return price;
  });
  return { value: { provider: PROVIDER, productId, customerId: null, prices, raw: rows }, problems };
}
