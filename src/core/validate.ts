import * as z from 'zod';
import { type ValidationIssue, ValidationError } from './errors.js';
import { idProblem } from './ids.js';
import {
  RequestableBillingTermSchema,
  SubscriptionRefSchema as ModelSubscriptionRefSchema,
} from '../model/subscription.js';

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

/**
 * The most seats the SDK sets on one subscription (an SDK bound, not a vendor fact: no vendor documents a
 * higher per-subscription count, and a typo such as `1e6` must not reach a bill). Counts are also kept far
 * below 2^53, so `before + n` is always exact and never rounds back to `before`.
 */
export const MAX_SEATS = 100_000;

/** A seat count: a whole number, zero or more, at most {@link MAX_SEATS}. */
export const SeatCountSchema = z
  .number({ error: 'must be a number' })
  .int('must be a whole number of seats')
  .nonnegative('must not be negative')
  .max(MAX_SEATS, `must be at most ${MAX_SEATS} seats per subscription`);

/** A positive seat delta for addSeats/removeSeats. */
export const SeatDeltaSchema = SeatCountSchema.min(1, 'must be at least 1');

/**
 * An id that goes into a URL path (customer, subscription, order, ... of any vendor): trimmed, 1 to 256
 * characters, no `/ ? # \`, no control characters, no percent-escapes, and not `.` or `..` (which URL
 * normalisation would turn into another resource). See core/ids.ts.
 */
export const IdSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .superRefine((v, ctx) => {
    const problem = v.length === 0 ? undefined : idProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A product id: like {@link IdSchema}, but `/` may separate the parts of a composite id (TD SYNNEX `product/sku/plan`). */
export const ProductIdSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .superRefine((v, ctx) => {
    const problem = v.length === 0 ? undefined : idProblem(v, { allowSlash: true });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A subscription reference whose two ids follow {@link IdSchema} (the model's schema checks only that they are strings). */
export const SubscriptionRefInputSchema = ModelSubscriptionRefSchema.extend({
  customerId: IdSchema,
  subscriptionId: IdSchema,
});

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

/** Per-call options (core/call-context.ts), checked at the public boundary before the method runs. */
const callOptionShape = {
  timeoutMs: z.number().optional(),
  retry: z.union([z.literal(false), z.record(z.string(), z.unknown())]).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  onResponse: z.custom<(info: unknown) => void>((v) => typeof v === 'function').optional(),
};

/** Options every write takes. */
export const WriteOptionsSchema = z
  .object({
    dryRun: z.boolean().optional(),
    actor: z.string().optional(),
    signal: z.instanceof(AbortSignal).optional(),
    ...callOptionShape,
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
    productId: ProductIdSchema,
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
    ...callOptionShape,
  })
  .strict();

/** The subscription reference every public method validates (ids checked like {@link IdSchema}). */
export const SubscriptionRefSchema = SubscriptionRefInputSchema;

/** An id that {@link IdSchema} accepts, trimmed, or undefined (then zod says what is wrong). */
function plainId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const id = value.trim();
  return id.length > 0 && idProblem(id) === undefined ? id : undefined;
}

/**
 * {@link validateInput} of a subscription reference, with a fast path for the common well-formed one (issue 21):
 * the same checks as {@link SubscriptionRefSchema} without zod; anything else goes through zod for its messages.
 */
export function validateSubscriptionRef(ref: unknown): z.infer<typeof SubscriptionRefSchema> {
  if (typeof ref === 'object' && ref !== null && !Array.isArray(ref)) {
    const r = ref as Record<string, unknown>;
    const customerId = plainId(r.customerId);
    const subscriptionId = customerId === undefined ? undefined : plainId(r.subscriptionId);
    if (customerId !== undefined && subscriptionId !== undefined) return { customerId, subscriptionId };
  }
  return validateInput(SubscriptionRefSchema, ref, 'subscription reference', 'ref');
}
