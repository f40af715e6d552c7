import * as z from 'zod';

/** Provider ids, one per supported marketplace. */
export const ProviderIdSchema = z.enum(['pax8', 'dandh', 'ingram', 'sherweb', 'partner-center', 'td-synnex']);
/** A provider id (`pax8`, `dandh`, `ingram`, `sherweb`, `partner-center`, `td-synnex`). */
export type ProviderId = z.infer<typeof ProviderIdSchema>;

/** An amount of money in a currency (ISO 4217). */
export const MoneySchema = z.object({
  amount: z.number(),
  currency: z.string().nullable(),
});
/** An amount of money. `currency` is null when the vendor did not say (never assume USD). */
export type Money = z.infer<typeof MoneySchema>;

/** ISO 8601 date-time in UTC (`2026-01-31T00:00:00.000Z`). */
export const IsoDateTimeSchema = z.string().datetime({ offset: true });

/**
 * Who the license is at Microsoft (or its publisher), so the same license can be joined across marketplaces.
 * Each field is null when the vendor does not expose it (see docs/providers/<vendor>.md for what each gives).
 */
export const LicenseIdentitySchema = z.object({
  /** Microsoft catalog product id (`CFQ7TTC0LCHC`), when the vendor gives it. */
  microsoftProductId: z.string().nullable(),
  /** Microsoft catalog SKU id within the product (`0002`), when the vendor gives it. */
  microsoftSkuId: z.string().nullable(),
  /** The Microsoft Graph `skuId` (a GUID, as in `subscribedSkus`), when the vendor gives it. */
  graphSkuId: z.string().nullable(),
});
/** A joinable license identity; compare `graphSkuId` or `microsoftProductId` + `microsoftSkuId`. */
export type LicenseIdentity = z.infer<typeof LicenseIdentitySchema>;

/** A license identity with nothing known. */
export function unknownLicense(): LicenseIdentity {
  return { microsoftProductId: null, microsoftSkuId: null, graphSkuId: null };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Microsoft catalog product ids are 12 upper-case letters and digits (`CFQ7TTC0LCHC`, `DZH318Z0BQ3Q`). */
const MS_PRODUCT = /^[A-Z0-9]{12}$/;

/**
 * Reads a license identity from a vendor's SKU text: a GUID is a Graph `skuId`; `CFQ7TTC0LCHC:0002[:...]` is a
 * Microsoft catalog product and SKU id (the rest, availability or term, is ignored). Anything else: nothing.
 */
export function licenseFromSku(text: string | null | undefined): LicenseIdentity {
  const id = unknownLicense();
  const t = text?.trim();
  if (!t) return id;
  if (GUID.test(t)) return { ...id, graphSkuId: t.toLowerCase() };
  const [product, sku] = t.split(':');
  if (product && MS_PRODUCT.test(product)) {
    id.microsoftProductId = product;
    if (sku && /^[0-9A-Z]{4}$/.test(sku)) id.microsoftSkuId = sku;
  }
  return id;
}

/**
 * Something the SDK could not read in one vendor record (a missing id, a seat count that is not a count, a date
 * that is not a date, a commitment it does not know). `field` is the normalized field when the mapper knows it
 * (`quantity`, `startDate`, `commitment`, `id`), else the vendor's path; `message` says what was wrong without
 * the vendor's value (the value stays in the record's `raw`). See docs/reliability.md "Records the SDK cannot
 * fully read".
 */
export const ItemProblemSchema = z.object({
  field: z.string().min(1),
  message: z.string(),
});
/** One thing the SDK could not read in a vendor record; the record keeps the vendor payload in `raw`. */
export type ItemProblem = z.infer<typeof ItemProblemSchema>;

/**
 * The normalized fields a record could not read (empty for a fully read record). A record is returned flagged,
 * never dropped: check this before trusting `quantity` (0 when it names `quantity`), dates or `id`.
 */
export function problemFields(record: { problems?: readonly ItemProblem[] | undefined }): string[] {
  return record.problems?.map((p) => p.field) ?? [];
}

/**
 * For a model schema: `id` is non-empty unless the record is flagged with a problem on `id` (the vendor sent a
 * record without one; it is returned with `id: ''` so it is not lost, and cannot be addressed).
 *
 * @internal
 */
export function checkIdUnlessFlagged(
  record: { id: string; problems?: readonly ItemProblem[] | undefined },
  ctx: z.core.$RefinementCtx,
): void {
  if (record.id === '' && !record.problems?.some((p) => p.field === 'id')) {
    ctx.addIssue({ code: 'custom', path: ['id'], message: 'id must not be empty unless problems names id' });
  }
}
