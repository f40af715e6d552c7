import { RecordReader, missingId } from '../../core/billing-wire.js';
import type { Order, OrderStatus } from '../../model/billing.js';
import { productKey } from './map.js';

/** A mapped billing record and what could not be read of it (empty when everything was read). */
export interface Mapped<T> {
  value: T;
  problems: string[];
}

const STATUS: Record<string, OrderStatus> = {
  NEW: 'pending',
  CONFIRMED: 'pending',
  ON_HOLD: 'pending',
  IN_PROGRESS: 'pending',
  COMPLETED: 'completed',
  ERROR: 'failed',
  CANCELED: 'cancelled',
  CANCELLED: 'cancelled',
};

/**
 * An Ion `Order` -> {@link Order}. The id is `orderId`, else the last segment of `name`
 * (`accounts/*\/customers/*\/orders/{id}`); line products are `productId/skuId/planId` as the SDK's TD SYNNEX
 * product ids; `resourceId` (the provider's subscription id on UPDATE lines) is the line's subscription.
 */
export function mapIonOrder(raw: unknown, position: string): Mapped<Order> {
  const r = new RecordReader(raw);
  const name = r.text('name');
  let id = r.text('orderId') ?? (name ? (name.split('/').pop() ?? null) : null);
  if (!id) {
    r.problems.push('orderId is missing');
    id = missingId('order', position);
  }
  const rawStatus = r.text('status');
  const lines: Order['lines'] = [];
  const items = r.get('orderItems');
  if (Array.isArray(items)) {
    for (const item of items) {
      const l = new RecordReader(item);
      const productId = l.text('productId');
      const skuId = l.text('skuId');
      const planId = l.text('planId');
      lines.push({
        productId: productId && skuId ? productKey(productId, skuId, planId ?? undefined) : productId,
        subscriptionId: l.text('resourceId'),
        quantity: l.number('quantity'),
        // Ion plans name their billing period in catalog data, not on the order line.
        billingTerm: 'unknown',
        description: l.text('action'),
      });
      r.problems.push(...l.problems.map((m) => `orderItems: ${m}`));
    }
  } else if (items !== undefined && items !== null) {
    r.problems.push('orderItems is not a list');
  }
  return {
    value: {
      provider: 'td-synnex',
      id,
      customerId: r.text('customerId'),
      status: rawStatus ? (STATUS[rawStatus.toUpperCase()] ?? 'unknown') : 'unknown',
      rawStatus,
      createdAt: r.date('createTime'),
      lines,
      raw,
    },
    problems: r.problems,
  };
}
