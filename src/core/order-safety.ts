/**
 * Money safety of non-idempotent orders (purchases without a vendor idempotency key): they are sent once
 * (retry policy `never`), and an answer a caller would be tempted to retry on (429, 401, an expired session) is
 * turned into {@link WriteOutcomeUnknownError}, because a vendor or a proxy may send it after the order was placed.
 */
import { AuthenticationError, type MarketplaceError, RateLimitError, WriteOutcomeUnknownError } from './errors.js';

/** What was ordered, for the error's `expected`. */
export interface OrderSummary {
  provider: string;
  customerId: string;
  productId: string;
  quantity: number;
}

/**
 * The error a provider throws when the order POST itself failed: a 429 or 401 answered to an order that was
 * sent becomes {@link WriteOutcomeUnknownError} (the caller must check the vendor's orders before buying
 * again); every other error is returned unchanged (ambiguous ones are settled by the base client, proven
 * refusals such as 400/422 stay what they are).
 */
export function orderSendFailure(
  error: unknown,
  order: OrderSummary,
  /** A vendor's own stale-token answer (TD SYNNEX Ion answers 403), treated like a 401. */
  isStaleToken: (error: unknown) => boolean = () => false,
): unknown {
  // Any authentication refusal of the order request itself (401, or a vendor's "session expired" fault).
  const refusedAfterSend =
    error instanceof RateLimitError || error instanceof AuthenticationError || isStaleToken(error);
  if (!refusedAfterSend) return error;
  const e = error as MarketplaceError;
  return new WriteOutcomeUnknownError(
    `purchase: ${order.provider} answered ${e.status ?? e.kind} to the order; the SDK does not send an order twice, so it may or may not have been placed`,
    {
      provider: order.provider,
      operation: 'purchase',
      status: e.status,
      code: e.code,
      requestId: e.requestId,
      before: null,
      expected: { customerId: order.customerId, productId: order.productId, quantity: order.quantity },
      observed: null,
      hint: `A ${e instanceof RateLimitError ? 'rate limit (429)' : 'refused token or session'} normally means nothing was placed, but the order was sent: check the customer's orders and subscriptions before buying again.`,
      cause: error,
    },
  );
}
