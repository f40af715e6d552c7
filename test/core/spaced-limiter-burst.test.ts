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
  // Read before scheduling: the grid starts at the limiter's own clock read in the first schedule(), which may come
  // milliseconds before the first task's read on a loaded machine (a preempted process), never after this one.
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 6 }, () =>
      limiter.schedule(async () => {
        starts.push(performance.now());
      }),
    ),
  );
  // The first four together (no 100 ms apiece), the fifth and sixth on the grid after them.
  expect(starts[3]! - t0).toBeLessThan(50);
  expect(starts[4]! - t0).toBeGreaterThanOrEqual(95);
  // From t0, not from the fifth start: a fifth task started late (a loaded machine) does not move the grid.
  expect(starts[5]! - t0).toBeGreaterThanOrEqual(195);
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
