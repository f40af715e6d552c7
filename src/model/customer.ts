import * as z from 'zod';
import { ItemProblemSchema, ProviderIdSchema, checkIdUnlessFlagged } from './common.js';

/** Customer status across vendors. */
export const CustomerStatusSchema = z.enum(['active', 'inactive', 'deleted', 'unknown']);
/** Customer status; `unknown` keeps the vendor's value in `rawStatus`. */
export type CustomerStatus = z.infer<typeof CustomerStatusSchema>;

/** An end-client company as one marketplace knows it. */
export const CustomerSchema = z
  .object({
    provider: ProviderIdSchema,
    /** The vendor's id; empty only on a flagged record whose `problems` name `id` (it cannot be addressed). */
    id: z.string(),
    name: z.string(),
    status: CustomerStatusSchema,
    /** The vendor's status text, kept whatever `status` became. */
    rawStatus: z.string().nullable(),
    /** The Microsoft tenant id, when the vendor exposes it. */
    tenantId: z.string().nullable(),
    /** The MSP's own reference on the vendor side (`externalId`), if any. */
    externalId: z.string().nullable(),
    /** ISO 3166-1 alpha-2 code (`US`), whatever form the vendor sent; null when absent or unrecognised. */
    country: z.string().nullable(),
    /** The vendor's own country text (`United States` at D&H), kept whatever `country` became. */
    rawCountry: z.string().nullable().optional(),
    raw: z.unknown(),
    /**
     * What the SDK could not read in this record (see {@link ItemProblemSchema}); absent when it read everything.
     * A flagged record is returned, never dropped: fields it names hold placeholders (`quantity` 0, dates null).
     */
    problems: z.array(ItemProblemSchema).optional(),
  })
  .superRefine(checkIdUnlessFlagged);
/** An end-client company as one marketplace knows it. `raw` is the vendor payload. */
export type Customer = z.infer<typeof CustomerSchema>;
