import * as z from 'zod';
import { type ValidationIssue, ValidationError } from './errors.js';
import { RequestableBillingTermSchema, SubscriptionRefSchema } from '../model/subscription.js';

/** Turns zod issues into ours. */
export function toIssues(error: z.ZodError, prefix = ''): ValidationIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || prefix || '(input)',
    message: i.message,
  }));
}

/** Parses `value` with `schema` or throws {@link ValidationError} naming every problem. Never touches the network. */
export function validateInput<T>(schema: z.ZodType<T>, value: unknown, what: string, prefix = ''): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = toIssues(r.error, prefix);
  throw new ValidationError(`Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

/** A seat count: a whole number, zero or more, within a sane bound. */
export const SeatCountSchema = z
  .number({ error: 'must be a number' })
  .int('must be a whole number of seats')
  .nonnegative('must not be negative')
  .max(1_000_000, 'is implausibly large');

/** A positive seat delta for addSeats/removeSeats. */
export const SeatDeltaSchema = SeatCountSchema.min(1, 'must be at least 1');

/** A non-empty id string. */
export const IdSchema = z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(512);

/** A date (`YYYY-MM-DD`) or an ISO 8601 date-time with a zone; also a `Date`. Normalized to ISO UTC. */
export const EffectiveDateSchema = z.union([z.date(), z.string()]).transform((v, ctx) => {
  const d = v instanceof Date ? v : parseUserDate(v);
  if (!d || Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with a zone' });
    return z.NEVER;
  }
  return d.toISOString();
});

function parseUserDate(v: string): Date | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const d = new Date(`${v}T00:00:00.000Z`);
    return d.toISOString().startsWith(v) ? d : undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) return new Date(v);
  return undefined;
}

/** Options every write takes. */
export const WriteOptionsSchema = z
  .object({
    dryRun: z.boolean().optional(),
    actor: z.string().optional(),
    signal: z.instanceof(AbortSignal).optional(),
  })
  .strict();

/** Options of `setSeats`/`addSeats`/`removeSeats`. */
export const SeatOptionsSchema = WriteOptionsSchema.extend({
  /** The seat count the caller saw; the change is refused with a ConflictError if it differs now. */
  ifCurrent: SeatCountSchema.optional(),
}).strict();

/** Options of `cancelSubscription`. */
export const CancelOptionsSchema = WriteOptionsSchema.extend({
  effectiveDate: EffectiveDateSchema.optional(),
}).strict();

/** Input of `purchase`. */
export const PurchaseInputSchema = z
  .object({
    customerId: IdSchema,
    productId: IdSchema,
    quantity: SeatDeltaSchema,
    billingTerm: RequestableBillingTermSchema,
    /** ISO 8601 duration (`P1M`, `P1Y`, `P3Y`); the vendor's matching term is looked up. */
    commitmentTerm: z
      .string()
      .regex(/^P\d+[MY]$/, 'must be an ISO 8601 duration like P1M, P1Y or P3Y')
      .optional(),
    dryRun: z.boolean().optional(),
    actor: z.string().optional(),
    signal: z.instanceof(AbortSignal).optional(),
  })
  .strict();

export { SubscriptionRefSchema };
