import * as z from 'zod';
import {
  ItemProblemSchema,
  LicenseIdentitySchema,
  MoneySchema,
  ProviderIdSchema,
  checkIdUnlessFlagged,
} from './common.js';

/**
 * Normalized subscription status. `pending-cancel`: cancelled at a later date (usually the term end), still
 * running and still billed until `endDate`; not a target for new seats.
 */
export const SubscriptionStatusSchema = z.enum([
  'active',
  'pending',
  'suspended',
  'pending-cancel',
  'cancelled',
  'expired',
  'unknown',
]);
/** Normalized subscription status; the vendor's own value stays in `rawStatus`. */
export type SubscriptionStatus = z.infer<typeof SubscriptionStatusSchema>;

/** How often the subscription is billed. */
export const BillingTermSchema = z.enum(['monthly', 'annual', 'biennial', 'triennial', 'one-time', 'trial', 'unknown']);
/** How often the subscription is billed. */
export type BillingTerm = z.infer<typeof BillingTermSchema>;

/** Billing terms a caller may ask for (everything but `unknown`). */
export const RequestableBillingTermSchema = BillingTermSchema.exclude(['unknown']);
/** A billing term a caller may ask for. */
export type RequestableBillingTerm = z.infer<typeof RequestableBillingTermSchema>;

/** Commitment term as an ISO 8601 duration (`P1M`, `P1Y`, `P3Y`, ...). */
export const CommitmentTermSchema = z.string().regex(/^P\d+[DWMY]$/);

/** A commitment: how long the seats are bought for, and when that ends. */
export const CommitmentSchema = z.object({
  term: CommitmentTermSchema,
  endDate: z.string().nullable(),
});
/** A commitment; `term` is an ISO 8601 duration such as `P1Y`. */
export type Commitment = z.infer<typeof CommitmentSchema>;

/** What can change on a subscription right now, as far as the vendor tells. `null` means unknown. */
export const SubscriptionConstraintsSchema = z.object({
  canIncrease: z.boolean().nullable(),
  canDecrease: z.boolean().nullable(),
  /** Until when seats can be decreased or the subscription cancelled with a refund, if the vendor says. */
  decreaseAllowedUntil: z.string().nullable(),
  canCancel: z.boolean().nullable(),
  /** How many seats can be returned for a refund now, if the vendor says. */
  refundableQuantity: z.number().nullable(),
  /** Why a change is or is not possible, in words. */
  notes: z.array(z.string()),
});
/** What can change on a subscription right now. */
export type SubscriptionConstraints = z.infer<typeof SubscriptionConstraintsSchema>;

/** A license subscription, the same shape for every marketplace. */
export const SubscriptionSchema = z
  .object({
    provider: ProviderIdSchema,
    /** The vendor's id; empty only on a flagged record whose `problems` name `id` (it cannot be addressed). */
    id: z.string(),
    customerId: z.string(),
    productId: z.string().nullable(),
    sku: z.string().nullable(),
    name: z.string(),
    status: SubscriptionStatusSchema,
    rawStatus: z.string().nullable(),
    quantity: z.number().int().nonnegative(),
    billingTerm: BillingTermSchema,
    rawBillingTerm: z.string().nullable(),
    commitment: CommitmentSchema.nullable(),
    startDate: z.string().nullable(),
    renewalDate: z.string().nullable(),
    endDate: z.string().nullable(),
    autoRenew: z.boolean().nullable(),
    /** Price to the customer per unit, when the vendor gives it. */
    price: MoneySchema.nullable(),
    /** Cost to the partner per unit, when the vendor gives it. */
    cost: MoneySchema.nullable(),
    constraints: SubscriptionConstraintsSchema,
    /**
     * Who the license is at Microsoft, to join it across marketplaces (always set by the SDK's mappers; optional
     * in the type so records built by hand stay valid).
     */
    license: LicenseIdentitySchema.optional(),
    raw: z.unknown(),
    /**
     * What the SDK could not read in this record (see {@link ItemProblemSchema}); absent when it read everything.
     * A flagged record is returned, never dropped: fields it names hold placeholders (`quantity` 0, dates null).
     */
    problems: z.array(ItemProblemSchema).optional(),
  })
  .superRefine(checkIdUnlessFlagged);
/** A license subscription, the same shape for every marketplace. `raw` is the vendor payload. */
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** Points at one subscription of one customer. */
export const SubscriptionRefSchema = z.object({
  customerId: z.string().trim().min(1, 'customerId must not be empty'),
  subscriptionId: z.string().trim().min(1, 'subscriptionId must not be empty'),
});
/** Points at one subscription of one customer. */
export type SubscriptionRef = z.infer<typeof SubscriptionRefSchema>;

/** Unknown constraints: nothing known about what can change. */
export function unknownConstraints(notes: string[] = []): SubscriptionConstraints {
  return {
    canIncrease: null,
    canDecrease: null,
    decreaseAllowedUntil: null,
    canCancel: null,
    refundableQuantity: null,
    notes,
  };
}
