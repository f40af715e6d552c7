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
