/**
 * A fixed-window request counter, as vendors enforce "N requests per minute". Used by the fakes to
 * answer 429 when a client goes over the limit.
 */
export interface RateWindowOptions {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in ms (60 000 for "per minute"). */
  windowMs: number;
  /** Clock (ms since epoch); `Date.now` by default so fake timers apply. */
  now?: () => number;
}

/** Counts requests per key and window; `take` answers whether one more is allowed. */
export class RateWindow {
  readonly #opts: Required<RateWindowOptions>;
  readonly #windows = new Map<string, { start: number; count: number }>();
  /** How many requests were refused. */
  rejected = 0;

  constructor(opts: RateWindowOptions) {
    this.#opts = { now: () => Date.now(), ...opts };
  }

  /** Takes one request for `key`; returns `{ ok: true }` or the seconds until the window resets. */
  take(key = 'default'): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.#opts.now();
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.#opts.windowMs) {
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
    }
    if (w.count >= this.#opts.limit) {
      this.rejected += 1;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + this.#opts.windowMs - now) / 1000)) };
    }
    w.count += 1;
    return { ok: true };
  }
}
