import * as z from 'zod';
import { ProviderIdSchema } from './common.js';

/** A product (offer) in a marketplace's catalog. */
export const ProductSchema = z.object({
  provider: ProviderIdSchema,
  id: z.string().min(1),
  name: z.string(),
  /** The vendor's SKU (the marketplace's own), if any. */
  sku: z.string().nullable(),
  /** The publisher's SKU (for Microsoft, the product/SKU id Microsoft uses), if any. */
  vendorSku: z.string().nullable(),
  vendorName: z.string().nullable(),
  description: z.string().nullable(),
  /** Whether buying it needs a commitment term. */
  requiresCommitment: z.boolean().nullable(),
  raw: z.unknown(),
});
/** A product in a marketplace's catalog. */
export type Product = z.infer<typeof ProductSchema>;
