import type { DryRunCheck } from '../model/operations.js';
import type { Subscription } from '../model/subscription.js';
import { BusinessRuleError, type MarketplaceErrorFields } from './errors.js';

/** What the constraints of a subscription say about a seat change: the check, or which direction is refused. */
export interface ConstraintVerdict {
  check: DryRunCheck;
  /** Set when the constraints say the vendor refuses the change. */
  refused?: 'increase' | 'decrease' | undefined;
}

/**
 * Checks a seat change against the subscription's `constraints` (filled by the provider's mapper from what
 * the vendor says). A direction whose constraint is `null` (unknown) is not checked: with nothing else
 * known the answer is `checkedBy: 'nothing'`.
 */
export function seatChangeByConstraints(before: Subscription, target: number): ConstraintVerdict {
  const c = before.constraints;
  const why = c.notes.length ? ` (${c.notes.join('; ')})` : '';
  if (target > before.quantity) {
    if (c.canIncrease === false) return { check: sdk([`seats cannot be added now${why}`]), refused: 'increase' };
    if (c.canIncrease === true) return { check: sdk([`seats can be added now${why}`]) };
    return { check: nothing() };
  }
  const removing = before.quantity - target;
  if (c.canDecrease === false) return { check: sdk([`seats cannot be removed now${why}`]), refused: 'decrease' };
  if (c.refundableQuantity !== null && removing > c.refundableQuantity) {
    return {
      check: sdk([`only ${c.refundableQuantity} seat(s) can be removed now${why}`]),
      refused: 'decrease',
    };
  }
  if (c.canDecrease === true) {
    const until = c.decreaseAllowedUntil ? ` until ${c.decreaseAllowedUntil}` : '';
    return { check: sdk([`seats can be removed now${until}${why}`]) };
  }
  return { check: nothing() };
}

/** The refusals of {@link seatsByConstraints}: the error fields per refused direction. */
export interface SeatRefusals {
  provider: string;
  /** How the constraint notes are joined in the decrease message (vendors' notes are sentences or phrases). */
  notesSeparator: string;
  decrease: Omit<MarketplaceErrorFields, 'operation' | 'provider'>;
  increase: Omit<MarketplaceErrorFields, 'operation' | 'provider'>;
}

/**
 * A seat dry run by the subscription's `constraints` alone (vendors without a dry run of their own): throws the
 * `BusinessRuleError` a refused change gets, else returns what was checked.
 */
export function seatsByConstraints(before: Subscription, target: number, refusals: SeatRefusals): DryRunCheck {
  const verdict = seatChangeByConstraints(before, target);
  const notes = before.constraints.notes;
  if (verdict.refused === 'decrease') {
    throw new BusinessRuleError(
      `setSeats (dry run): ${before.quantity} -> ${target} would be refused: ${notes.join(refusals.notesSeparator)}`,
      { ...refusals.decrease, provider: refusals.provider, operation: 'setSeats' },
    );
  }
  if (verdict.refused === 'increase') {
    throw new BusinessRuleError(`setSeats (dry run): seats cannot be added now: ${notes.join('; ')}`, {
      ...refusals.increase,
      provider: refusals.provider,
      operation: 'setSeats',
    });
  }
  return verdict.check;
}

/**
 * Checks a cancellation against the subscription's `constraints`; throws a `BusinessRuleError` (the error a
 * refused cancellation gets) when they say the vendor refuses it.
 */
export function cancelByConstraints(
  before: Subscription,
  error: Omit<MarketplaceErrorFields, 'operation'>,
): DryRunCheck {
  const c = before.constraints;
  const why = c.notes.length ? ` (${c.notes.join('; ')})` : '';
  if (c.canCancel === false) {
    throw new BusinessRuleError(`cancelSubscription (dry run): the cancellation would be refused${why}`, {
      ...error,
      operation: 'cancelSubscription',
    });
  }
  if (c.canCancel === true) return sdk([`the subscription can be cancelled now${why}`]);
  return nothing();
}

/** A dry run the SDK checked with the rules given. */
export function sdk(rules: string[]): DryRunCheck {
  return { checkedBy: 'sdk', rules };
}

/** A dry run nobody checked beyond the input. */
export function nothing(): DryRunCheck {
  return { checkedBy: 'nothing', rules: [] };
}

/** A dry run the vendor validated. */
export function vendor(rule: string): DryRunCheck {
  return { checkedBy: 'vendor', rules: [rule] };
}
