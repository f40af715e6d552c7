import type { ProviderId } from '../model/common.js';
import type { EventHub } from './events.js';

/**
 * Warns (`listing-changed`) when a numbered listing's total differs from the one the page before reported: items
 * may have shifted between pages (one skipped or seen twice), which no page-number listing can rule out. Nothing is
 * dropped by the SDK; the caller decides whether to read again.
 */
export function warnIfTotalChanged(
  events: EventHub,
  provider: ProviderId,
  operation: string,
  before: number | undefined,
  now: number,
): void {
  if (before === undefined || now === before) return;
  events.emit('warning', {
    provider,
    code: 'listing-changed',
    message: `${operation}: the total changed from ${before} to ${now} during the listing; items may have shifted between pages`,
  });
}
