import * as z from 'zod';
import { ItemProblemSchema, LicenseIdentitySchema, MoneySchema, ProviderIdSchema } from './common.js';
import { BillingTermSchema, CommitmentTermSchema } from './subscription.js';

/**
 * Normalized invoice status. `draft`: not yet issued (the current period's charges so far); `open`: issued and
 * not fully paid; `paid`; `void` (cancelled or credited in full); `unknown` keeps the vendor's value in `rawStatus`.
 */
export const InvoiceStatusSchema = z.enum(['draft', 'open', 'paid', 'void', 'unknown']);
/** Normalized invoice status; the vendor's own value stays in `rawStatus`. */
export type InvoiceStatus = z.infer<typeof InvoiceStatusSchema>;

/** An invoice (or a vendor's billing statement) from the marketplace to the partner. */
export const InvoiceSchema = z.object({
  provider: ProviderIdSchema,
  id: z.string().min(1),
  /** The vendor's invoice number as printed, when it differs from `id`. */
  number: z.string().nullable(),
  /** The customer the invoice is for; null when one invoice covers every customer (the partner's invoice). */
  customerId: z.string().nullable(),
  status: InvoiceStatusSchema,
  rawStatus: z.string().nullable(),
  /** Issue date (`YYYY-MM-DD` or ISO date-time as the vendor gives it). */
  invoiceDate: z.string().nullable(),
  dueDate: z.string().nullable(),
  /** The billing period the charges are for, when the vendor says. */
  periodStart: z.string().nullable(),
  periodEnd: z.string().nullable(),
  /** Total to pay, with its currency. */
  total: MoneySchema.nullable(),
  /** What is still owed, when the vendor says. */
  balance: MoneySchema.nullable(),
  /** What the SDK could not read from the vendor's record (absent when everything was read); `raw` has it all. */
  problems: z.array(ItemProblemSchema).optional(),
  raw: z.unknown(),
});
/** An invoice from the marketplace to the partner. `raw` is the vendor payload. */
export type Invoice = z.infer<typeof InvoiceSchema>;

/** One charge on an invoice (or on the current period's draft). */
export const InvoiceLineSchema = z.object({
  provider: ProviderIdSchema,
  /** The invoice the line is on; null for draft (not yet invoiced) charges. */
  invoiceId: z.string().nullable(),
  /** A stable id for the line when the vendor gives one. */
  id: z.string().nullable(),
  customerId: z.string().nullable(),
  customerName: z.string().nullable(),
  subscriptionId: z.string().nullable(),
  productId: z.string().nullable(),
  sku: z.string().nullable(),
  /** Who the license is at Microsoft, to join the charge with subscriptions and Graph (fields null when unknown). */
  license: LicenseIdentitySchema,
  description: z.string(),
  /** `recurring`, `usage`, `one-time`, `prorated` (a mid-period change), `credit`, or `other`. */
  chargeType: z.enum(['recurring', 'usage', 'one-time', 'prorated', 'credit', 'other']),
  periodStart: z.string().nullable(),
  periodEnd: z.string().nullable(),
  quantity: z.number().nullable(),
  billingTerm: BillingTermSchema,
  /** Price to the customer per unit (what the partner may bill), when the vendor says. */
  unitPrice: MoneySchema.nullable(),
  /** Cost to the partner per unit, when the vendor says. */
  unitCost: MoneySchema.nullable(),
  /** The line's total cost to the partner (after discounts, before tax), when the vendor says. */
  total: MoneySchema.nullable(),
  /** What the SDK could not read from the vendor's record (absent when everything was read); `raw` has it all. */
  problems: z.array(ItemProblemSchema).optional(),
  raw: z.unknown(),
});
/** One charge on an invoice. `raw` is the vendor payload. */
export type InvoiceLine = z.infer<typeof InvoiceLineSchema>;

/** Consumption of a usage-billed product over a period. */
export const UsageRecordSchema = z.object({
  provider: ProviderIdSchema,
  customerId: z.string().nullable(),
  subscriptionId: z.string().nullable(),
  productId: z.string().nullable(),
  /** What was consumed (a meter or resource name). */
  description: z.string(),
  periodStart: z.string().nullable(),
  periodEnd: z.string().nullable(),
  quantity: z.number().nullable(),
  /** The unit of `quantity` (`hours`, `GB`, ...), when the vendor says. */
  unit: z.string().nullable(),
  /** Cost to the partner for the period, when the vendor says. */
  cost: MoneySchema.nullable(),
  /** Price to the customer for the period, when the vendor says. */
  price: MoneySchema.nullable(),
  /** What the SDK could not read from the vendor's record (absent when everything was read); `raw` has it all. */
  problems: z.array(ItemProblemSchema).optional(),
  raw: z.unknown(),
});
/** Consumption of a usage-billed product. `raw` is the vendor payload. */
export type UsageRecord = z.infer<typeof UsageRecordSchema>;

/** One price of a product: for a billing term, a commitment term and (optionally) a quantity range. */
export const ProductPriceSchema = z.object({
  billingTerm: BillingTermSchema,
  /** ISO 8601 duration (`P1M`, `P1Y`, `P3Y`); null when there is no commitment or the vendor does not say. */
  commitmentTerm: CommitmentTermSchema.nullable(),
  /** Price to the customer per unit (suggested retail), when published. */
  price: MoneySchema.nullable(),
  /** Cost to the partner per unit, when published. */
  cost: MoneySchema.nullable(),
  /** Quantity range this price applies to (tiered pricing); null ends are open. */
  minQuantity: z.number().nullable(),
  maxQuantity: z.number().nullable(),
});
/** One price of a product. */
export type ProductPrice = z.infer<typeof ProductPriceSchema>;

/** The prices and terms a product is offered at. */
export const ProductPricingSchema = z.object({
  provider: ProviderIdSchema,
  productId: z.string().min(1),
  /** The customer the prices were asked for (some vendors price per customer); null when general. */
  customerId: z.string().nullable(),
  prices: z.array(ProductPriceSchema),
  /** What the SDK could not read from the vendor's record (absent when everything was read); `raw` has it all. */
  problems: z.array(ItemProblemSchema).optional(),
  raw: z.unknown(),
});
/** The prices and terms a product is offered at. `raw` is the vendor payload. */
export type ProductPricing = z.infer<typeof ProductPricingSchema>;

/** Normalized order status; the vendor's own value stays in `rawStatus`. */
export const OrderStatusSchema = z.enum(['pending', 'completed', 'failed', 'cancelled', 'unknown']);
/** Normalized order status. */
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/** One line of an order. */
export const OrderLineSchema = z.object({
  productId: z.string().nullable(),
  subscriptionId: z.string().nullable(),
  quantity: z.number().nullable(),
  billingTerm: BillingTermSchema,
  description: z.string().nullable(),
});
/** One line of an order. */
export type OrderLine = z.infer<typeof OrderLineSchema>;

/** An order placed at the marketplace (a purchase, or a change the vendor records as an order). */
export const OrderSchema = z.object({
  provider: ProviderIdSchema,
  id: z.string().min(1),
  customerId: z.string().nullable(),
  status: OrderStatusSchema,
  rawStatus: z.string().nullable(),
  createdAt: z.string().nullable(),
  lines: z.array(OrderLineSchema),
  /** What the SDK could not read from the vendor's record (absent when everything was read); `raw` has it all. */
  problems: z.array(ItemProblemSchema).optional(),
  raw: z.unknown(),
});
/** An order placed at the marketplace. `raw` is the vendor payload. */
export type Order = z.infer<typeof OrderSchema>;
