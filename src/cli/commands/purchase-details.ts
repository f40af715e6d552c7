/**
 * What the purchase prompt shows: the product's name, the terms asked for, and the price and cost where the vendor's
 * listing (or its pricing endpoint) gives them. Looking them up never blocks a purchase: what cannot be found is
 * shown as unknown.
 */
import type { ProductPrice } from '../../model/billing.js';
import type { Money } from '../../model/common.js';
import type { Product, ProductOffer } from '../../model/product.js';
import type { CustomerTarget } from '../context.js';

/** How many catalog items the prompt reads at most to find the product's name (a large catalog is not read whole). */
export const PRODUCT_LOOKUP_LIMIT = 2000;

/** The order a purchase prompt describes. */
export interface PurchaseOrder {
  productId: string;
  quantity: number;
  billingTerm: string;
  commitmentTerm?: string | undefined;
}

function money(m: Money | null | undefined): string | undefined {
  if (!m) return undefined;
  return `${m.amount.toFixed(2)} ${m.currency ?? '(currency not given)'}`;
}

async function findProduct(target: CustomerTarget, productId: string): Promise<Product | undefined> {
  const { entry, client } = target.handle;
  // Per-customer catalogs (Sherweb) take the customer; the others refuse an unknown option key.
  const list = entry.listProducts
    ? entry.listProducts(client, entry.catalogNeedsCustomer ? { customerId: target.customerId } : {})
    : client.listProducts();
  let seen = 0;
  const wanted = productId.toLowerCase();
  for await (const p of list) {
    if (p.id.toLowerCase() === wanted) return p;
    seen += 1;
    if (seen >= PRODUCT_LOOKUP_LIMIT) return undefined;
  }
  return undefined;
}

type PriceLike = Pick<ProductOffer, 'billingTerm' | 'commitmentTerm' | 'price' | 'cost'> &
  Partial<Pick<ProductPrice, 'minQuantity' | 'maxQuantity'>>;

function matching<T extends PriceLike>(prices: readonly T[], order: PurchaseOrder): T | undefined {
  return prices.find(
    (p) =>
      p.billingTerm === order.billingTerm &&
      (order.commitmentTerm === undefined || p.commitmentTerm === order.commitmentTerm) &&
      (p.minQuantity == null || order.quantity >= p.minQuantity) &&
      (p.maxQuantity == null || order.quantity <= p.maxQuantity) &&
      (p.price !== null || p.cost !== null),
  );
}

function priceLine(found: PriceLike | undefined, quantity: number): string {
  if (!found) return 'price: unknown (the vendor does not give a price for these terms: check it before buying)';
  const parts: string[] = [];
  const price = money(found.price);
  const cost = money(found.cost);
  parts.push(`price ${price ? `${price} per seat` : 'unknown'}`);
  parts.push(`cost ${cost ? `${cost} per seat` : 'unknown'}`);
  const total = found.cost ?? found.price;
  if (total) {
    const what = found.cost ? 'cost' : 'price';
    parts.push(
      `${what} of ${quantity} seats: ${money({ ...total, amount: total.amount * quantity })} per billing period`,
    );
  }
  return parts.join(', ');
}

/**
 * The purchase prompt: `Buy 5 x "Microsoft 365 Business Premium" (<id>) for pax8 customer <id>`, the terms, and
 * the price, cost and total where known (`price: unknown` otherwise).
 */
export async function purchaseQuestion(target: CustomerTarget, order: PurchaseOrder): Promise<string> {
  let product: Product | undefined;
  try {
    product = await findProduct(target, order.productId);
  } catch {
    // The name is a courtesy: a catalog that cannot be read does not stop the purchase (the vendor checks the id).
    product = undefined;
  }
  let found: PriceLike | undefined = matching(product?.offers ?? [], order);
  const client = target.handle.client;
  if (!found && client.capabilities.productPricing) {
    try {
      const pricing = await client.getProductPricing(order.productId, { customerId: target.customerId });
      found = matching(pricing.prices, order);
    } catch {
      found = undefined;
    }
  }
  const name = product
    ? `"${product.name}" (${order.productId})`
    : `${order.productId} (name unknown: not found in the catalog)`;
  const terms = `billing ${order.billingTerm}, commitment ${order.commitmentTerm ?? 'none asked (the vendor default)'}`;
  return [
    `Buy ${order.quantity} x ${name} for ${target.provider} customer ${target.customerId}?`,
    `  ${terms}`,
    `  ${priceLine(found, order.quantity)}`,
    '  This is billed.',
  ].join('\n');
}
