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

/** Whether `code` is an upper-case ASCII letter or a digit. */
function isUpperAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
}

/** Whether `t[from, to)` is upper-case letters and digits only. */
function upperAlnumRun(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isUpperAlnum(t.charCodeAt(i))) return false;
  return true;
}

/**
 * Reads a license identity from a vendor's SKU text: a GUID is a Graph `skuId`; `CFQ7TTC0LCHC:0002[:...]` is a
 * Microsoft catalog product and SKU id (the rest, availability or term, is ignored). Anything else: nothing.
 * Microsoft catalog product ids are 12 upper-case letters and digits (`CFQ7TTC0LCHC`, `DZH318Z0BQ3Q`), SKU ids 4.
 * Catalog ids are read character by character (it runs for every subscription read: issue 21);
 * test/model/license-from-sku.test.ts checks it against the regular-expression reading on generated texts.
 */
export function licenseFromSku(text: string | null | undefined): LicenseIdentity {
  const t = text?.trim();
  if (!t) return unknownLicense();
  if (t.length === 36 && GUID.test(t))
    return { microsoftProductId: null, microsoftSkuId: null, graphSkuId: t.toLowerCase() };
  // The product is the text before the first ':' (all of it without one): exactly 12 characters.
  if (t.length < 12 || (t.length > 12 && t.charCodeAt(12) !== 58) || !upperAlnumRun(t, 0, 12)) {
    return unknownLicense();
  }
  // The SKU is the text between the first and second ':': exactly 4 characters.
  const sku =
    t.length >= 17 && (t.length === 17 || t.charCodeAt(17) === 58) && upperAlnumRun(t, 13, 17) ? t.slice(13, 17) : null;
  return { microsoftProductId: t.slice(0, 12), microsoftSkuId: sku, graphSkuId: null };
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
