import * as z from 'zod';
import { ProviderIdSchema } from './common.js';

/** Customer status across vendors. */
export const CustomerStatusSchema = z.enum(['active', 'inactive', 'deleted', 'unknown']);
/** Customer status; `unknown` keeps the vendor's value in `rawStatus`. */
export type CustomerStatus = z.infer<typeof CustomerStatusSchema>;

/** An end-client company as one marketplace knows it. */
export const CustomerSchema = z.object({
  provider: ProviderIdSchema,
  id: z.string().min(1),
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
});
/** An end-client company as one marketplace knows it. `raw` is the vendor payload. */
export type Customer = z.infer<typeof CustomerSchema>;
