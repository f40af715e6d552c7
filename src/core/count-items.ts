import type { PagedList } from './pagination.js';

/** How many customers `verifyConnection` counts at most before answering "at least N". */
export const VERIFY_COUNT_CAP = 10_000;

/**
 * Counts the items of a listing page by page, stopping once `cap` is reached: `exact` is false when the listing
 * went on (the count is then "at least `count`").
 */
export async function countItems<T>(
  list: PagedList<T>,
  cap: number = VERIFY_COUNT_CAP,
): Promise<{ count: number; exact: boolean }> {
  let count = 0;
  for await (const page of list.byPage()) {
    count += page.items.length;
    if (count >= cap) return { count, exact: false };
  }
  return { count, exact: true };
}
