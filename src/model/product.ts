import * as z from 'zod';
import {
  ItemProblemSchema,
  LicenseIdentitySchema,
  MoneySchema,
  ProviderIdSchema,
  checkIdUnlessFlagged,
} from './common.js';
import { BillingTermSchema, CommitmentTermSchema } from './subscription.js';

/** One way a product can be bought: a billing term, a commitment term, and the price when published. */
export const ProductOfferSchema = z.object({
  billingTerm: BillingTermSchema,
  /** ISO 8601 duration (`P1M`, `P1Y`, `P3Y`); null when the offer has no commitment or the vendor does not say. */
  commitmentTerm: CommitmentTermSchema.nullable(),
  /** Price to the customer per unit (suggested retail), when the listing gives it. */
  price: MoneySchema.nullable(),
  /** Cost to the partner per unit, when the listing gives it. */
  cost: MoneySchema.nullable(),
});
/** One way a product can be bought. */
export type ProductOffer = z.infer<typeof ProductOfferSchema>;

/** A product (offer) in a marketplace's catalog. */
export const ProductSchema = z
  .object({
    provider: ProviderIdSchema,
    /** The vendor's id; empty only on a flagged record whose `problems` name `id` (it cannot be addressed). */
    id: z.string(),
    name: z.string(),
    /** The vendor's SKU (the marketplace's own), if any. */
    sku: z.string().nullable(),
    /** The publisher's SKU (for Microsoft, the product/SKU id Microsoft uses), if any. */
    vendorSku: z.string().nullable(),
    vendorName: z.string().nullable(),
    description: z.string().nullable(),
    /** Whether buying it needs a commitment term. */
    requiresCommitment: z.boolean().nullable(),
    /**
     * Who the license is at Microsoft, to join it across marketplaces (always set by the SDK's mappers; optional
     * in the type so records built by hand stay valid).
     */
    license: LicenseIdentitySchema.optional(),
    /**
     * The billing/commitment terms (and prices) the listing offers; null when the vendor's listing does not say
     * (the SDK makes no extra request per product to find out). Always set by the SDK's mappers.
     */
    offers: z.array(ProductOfferSchema).nullable().optional(),
    raw: z.unknown(),
    /**
     * What the SDK could not read in this record (see {@link ItemProblemSchema}); absent when it read everything.
     * A flagged record is returned, never dropped: fields it names hold placeholders (`quantity` 0, dates null).
     */
    problems: z.array(ItemProblemSchema).optional(),
  })
  .superRefine(checkIdUnlessFlagged);
/** A product in a marketplace's catalog. */
export type Product = z.infer<typeof ProductSchema>;
