/**
 * The in-process limiter: tasks start in order, `minTime` ms apart (up to 4 at once after a pause), at most
 * `maxConcurrent` at once,
 * and never more than `requests` within any `perMs` window as the vendor sees it.
 *
 * It replaced bottleneck on the hot path (docs/performance.md): bottleneck cost several milliseconds per call
 * even when nothing waited, which was most of the SDK's per-call overhead. The fleet limiter on Redis
 * (redis-limiter.ts) applies the same rules.
 *
 * Even spacing alone is not enough at the exact limit: a request reaches the vendor some time after it starts
 * here, and a late arrival followed by a prompt one puts `requests + 1` arrivals in one rolling window (the
 * benchmark saw 2% of requests answered 429). So task `k` also starts no earlier than `perMs` after task
 * `k - requests` *finished*: the vendor counted that one before its answer came back, so the two arrivals are
 * at least `perMs` apart whatever the network did. It costs about one round trip per window (< 1% at 100/s).
 *
 * Start times are planned on a fixed grid (`next = planned start + minTime`), so late timers do not drift the
 * rate down, and a timer that fires early (Node rounds timers to whole milliseconds) is re-armed.
 *
 * Up to {@link BURST} tasks may start at once when the grid has slack (the grid is a tolerance, not a queue: a task
 * may start up to `(BURST - 1) x minTime` ahead of it, like a token bucket of `BURST`). Strict spacing made tasks
 * that became ready together wait `minTime` each: with the concurrency near the rate (an estate sync listing 24
 * customers at once at 200/s, answers in 150 ± 50 ms), that was 6-11 ms of queueing per request, 6% of the sync
 * (issue 20, docs/performance.md). The average rate is unchanged and the rule above still caps every window.
 */
export class SpacedLimiter {
  readonly #minTime: number;
  /** How far ahead of the grid a task may start: `(BURST - 1) x minTime` (less when `requests` < BURST). */
  readonly #tolerance: number;
  readonly #maxConcurrent: number;
  readonly #requests: number;
  readonly #perMs: number;
  readonly #queue: Array<(finished: { at: number }) => void> = [];
  /** Finish times (`at`, Infinity while running) of the last `requests` tasks started, oldest first. */
  readonly #recent: Array<{ at: number }> = [];
  /** Tasks started or waiting for their start time. */
  #active = 0;
  /** Earliest start time of the next task (performance.now() clock). */
  #next = 0;

  constructor(options: { requests: number; perMs: number; maxConcurrent: number }) {
    this.#requests = options.requests;
    this.#perMs = options.perMs;
    this.#minTime = options.perMs / options.requests;
    this.#tolerance = burstTolerance(options.requests, options.perMs);
    this.#maxConcurrent = options.maxConcurrent;
  }

  schedule<T>(task: () => Promise<T>): Promise<T> {
    // Fast path (issue 21): nobody waiting, a free slot and a start time that has come: run now, with no
    // queue entry and no wrapping promise. Same bookkeeping as a queued start.
    if (this.#queue.length === 0 && this.#active < this.#maxConcurrent) {
      const now = performance.now();
      const at = this.#startTime(now);
      if (at !== undefined && at <= now) return this.#run(task, this.#claim(at));
    }
    return new Promise<T>((resolve, reject) => {
      this.#queue.push((finished) => this.#run(task, finished).then(resolve, reject));
      this.#drain();
    });
  }

  /** Runs a started task; when it settles, records its finish time and frees its slot. */
  #run<T>(task: () => Promise<T>, finished: { at: number }): Promise<T> {
    let result: Promise<T>;
    try {
      result = task();
    } catch (error) {
      result = Promise.reject(error);
    }
    const done = () => {
      finished.at = performance.now();
      this.#active--;
      this.#drain();
    };
    result.then(done, done);
    return result;
  }

  /** The earliest start of the next task, or undefined while the window's oldest task is still running. */
  #startTime(now: number): number | undefined {
    let at = Math.max(now, this.#next - this.#tolerance);
    if (this.#recent.length >= this.#requests) {
      const windowStart = this.#recent[this.#recent.length - this.#requests]!.at;
      if (windowStart === Number.POSITIVE_INFINITY) return undefined; // drained again when that task finishes
      at = Math.max(at, windowStart + this.#perMs);
    }
    return at;
  }

  /** Takes a slot for a task starting at `at`: its finish time, Infinity until it finishes. */
  #claim(at: number): { at: number } {
    this.#active++;
    this.#next = Math.max(this.#next, at) + this.#minTime;
    const finished = { at: Number.POSITIVE_INFINITY };
    this.#recent.push(finished);
    if (this.#recent.length > this.#requests) this.#recent.shift();
    return finished;
  }

  #drain(): void {
    while (this.#active < this.#maxConcurrent && this.#queue.length > 0) {
      const now = performance.now();
      const at = this.#startTime(now);
      if (at === undefined) return;
      const start = this.#queue.shift()!;
      const finished = this.#claim(at);
      if (at <= now) start(finished);
      else startAt(at, () => start(finished));
    }
  }
}

/** Tasks that may start at once (see the class comment). */
const BURST = 4;

/**
 * How far ahead of the even grid (`minTime = perMs / requests`) a start may be: `(BURST - 1) x minTime`, less
 * when `requests` < BURST. The fleet limiter (core/redis-limiter.ts) applies the same rule in Redis.
 */
export function burstTolerance(requests: number, perMs: number): number {
  return (Math.max(1, Math.min(BURST, Math.floor(requests))) - 1) * (perMs / requests);
}

function startAt(at: number, start: () => void): void {
  const wait = at - performance.now();
  if (wait <= 0) {
    start();
    return;
  }
  setTimeout(() => startAt(at, start), Math.ceil(wait));
}
