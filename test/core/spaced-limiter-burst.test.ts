/**
 * Issue 20: the in-process limiter lets up to 4 tasks start at once after a pause (a token bucket of 4 on its
 * `perMs / requests` grid) instead of spacing every start, while its window rule still caps every `perMs` window
 * at `requests` starts. Lower bounds only on times (timers never fire early here: the limiter re-arms them).
 */
import { expect, it } from 'vitest';
import { SpacedLimiter } from '../../src/core/spaced-limiter.js';

it('starts up to 4 ready tasks at once, then keeps to the grid', async () => {
  const limiter = new SpacedLimiter({ requests: 10, perMs: 1_000, maxConcurrent: 10 });
  const starts: number[] = [];
  await Promise.all(
    Array.from({ length: 6 }, () =>
      limiter.schedule(async () => {
        starts.push(performance.now());
      }),
    ),
  );
  const t0 = starts[0]!;
  // The first four together (no 100 ms apiece), the fifth and sixth on the grid after them.
  expect(starts[3]! - t0).toBeLessThan(50);
  expect(starts[4]! - t0).toBeGreaterThanOrEqual(95);
  expect(starts[5]! - starts[4]!).toBeGreaterThanOrEqual(95);
});

it('still never starts more than `requests` in one `perMs` window', async () => {
  const limiter = new SpacedLimiter({ requests: 3, perMs: 300, maxConcurrent: 3 });
  const starts: number[] = [];
  await Promise.all(
    Array.from({ length: 9 }, () =>
      limiter.schedule(async () => {
        starts.push(performance.now());
        await new Promise((r) => setTimeout(r, 5));
      }),
    ),
  );
  starts.sort((a, b) => a - b);
  // Any four starts in a row span a whole window (the fourth waits for the first's finish + perMs).
  for (let k = 3; k < starts.length; k++) expect(starts[k]! - starts[k - 3]!).toBeGreaterThanOrEqual(300);
});
