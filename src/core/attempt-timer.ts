/**
 * Attempt signals on one shared timer (issue 21). Every attempt of every call needs a signal that aborts its
 * `fetch` at the attempt's timeout or when the caller aborts. Instead of a `setTimeout` set and cleared per
 * attempt, every pending attempt waits in a list per timeout length (its deadlines are then in order, so the head
 * is the earliest) and one process-wide timer is armed for the earliest head; the lists are unlinked in O(1) when
 * an attempt ends, which is what almost every attempt does.
 *
 * Tolerance: an attempt is aborted when the shared timer fires at or after its deadline (a timer may fire up to
 * {@link ATTEMPT_TIMER_SLACK_MS} early by Node's millisecond rounding; entries due within that slack are aborted
 * with it), so never materially before its timeout and as late as an ordinary `setTimeout` would be.
 *
 * Every attempt gets a fresh `AbortController`. Reusing the controllers of attempts that ended normally saved
 * about 3 µs per call, but a signal handed to a caller's own `fetch` (a proxy agent, an interceptor, a test
 * double) may be kept and looked at after the answer was read: a later attempt's abort must never reach it.
 *
 * The timer is referenced only while an attempt waits, so it never keeps a process alive after the last call
 * settled; it is left armed (unreferenced) when the list empties, so a loop of calls does not set and clear a
 * timer per call.
 *
 * Creating a controller and its signal costs about 3-4 µs of CPU on Node 20, the largest single step of a call's
 * own work. So the next attempt's controller is made ahead, while a request is on the wire
 * ({@link makeAttemptSignalAhead}, which the transport calls in a microtask queued right after `fetch` was called):
 * a call then does not pay for it between its answer and its next request. Such a controller is brand new when an attempt takes it (never handed to any
 * `fetch`, no listener on it); it is made ahead, not reused.
 */

/** How much earlier than its deadline the shared timer may abort an attempt (Node rounds timers to whole ms). */
export const ATTEMPT_TIMER_SLACK_MS = 1;

/** One attempt's abort signal and what ended it. */
export interface AttemptSignal {
  /** Aborts at the timeout (reason: a `TimeoutError` DOMException) or with the caller's signal (its reason). */
  readonly signal: AbortSignal;
  /** Whether the timeout (not the caller) aborted it. */
  readonly timedOut: boolean;
  /** Ends the attempt: its timeout and its listener on the caller's signal are removed. Idempotent. */
  dispose(): void;
}

/** A waiting attempt, linked in the list of its timeout length. */
class Entry implements AttemptSignal {
  readonly #controller = takeController();
  readonly at: number;
  readonly list: List;
  prev: Entry | undefined;
  next: Entry | undefined;
  /** Whether it is still linked. */
  linked = true;
  timedOut = false;
  readonly #outer: AbortSignal | undefined;
  readonly #onAbort: (() => void) | undefined;

  constructor(list: List, at: number, outer: AbortSignal | undefined) {
    this.list = list;
    this.at = at;
    this.#outer = outer;
    if (outer === undefined) return;
    if (outer.aborted) {
      this.#controller.abort(outer.reason);
      return;
    }
    this.#onAbort = () => {
      this.#controller.abort(outer.reason);
      this.dispose();
    };
    outer.addEventListener('abort', this.#onAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Called by the shared timer at the deadline. */
  expire(): void {
    this.timedOut = true;
    this.#controller.abort(new DOMException('The attempt timed out', 'TimeoutError'));
    this.dispose();
  }

  dispose(): void {
    if (!this.linked) return;
    this.linked = false;
    this.list.remove(this);
    // Deadline-capped attempts have lengths of their own: their lists do not pile up.
    if (this.list.head === undefined && lists.size > MAX_IDLE_LISTS) lists.delete(this.list.timeoutMs);
    if (this.#onAbort) this.#outer?.removeEventListener('abort', this.#onAbort);
    if (--pending === 0) timer?.unref?.();
  }
}

/** The attempts of one timeout length, in deadline order. */
class List {
  head: Entry | undefined;
  tail: Entry | undefined;
  constructor(readonly timeoutMs: number) {}
  push(entry: Entry): void {
    entry.prev = this.tail;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
  }
  remove(entry: Entry): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
  }
}

/** A controller made ahead for the next attempt (its signal created too), never handed out before. */
let spare: AbortController | undefined;

/** The controller for a new attempt: the one made ahead, else a new one. */
function takeController(): AbortController {
  const c = spare;
  if (c === undefined) return new AbortController();
  spare = undefined;
  return c;
}

/**
 * Makes the next attempt's controller now, unless one is waiting (at most one is kept). Call it while a request is
 * on the wire, after `fetch`'s own first steps (core/http.ts calls it in a microtask queued right after `fetch`).
 */
export function makeAttemptSignalAhead(): void {
  if (spare !== undefined) return;
  const c = new AbortController();
  // Node creates the signal on first read: pay for it now too.
  void c.signal;
  spare = c;
}

const lists = new Map<number, List>();
/** Attempts waiting (linked). */
let pending = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
/** When the armed timer fires (performance.now() clock); Infinity when none is armed. */
let armedAt = Number.POSITIVE_INFINITY;
/**
 * The `setTimeout` / `clearTimeout` the timer was armed with: when they change (a test installs or removes fake
 * timers), the next attempt re-arms with the current ones, so a timer of the other clock is never relied on.
 */
let armedWith: typeof setTimeout | undefined;
let clearWith: typeof clearTimeout | undefined;

/** Lists are kept for this many distinct timeout lengths at most; empty ones beyond it are dropped. */
const MAX_IDLE_LISTS = 32;

function arm(at: number, now: number): void {
  if (timer !== undefined) clearWith?.(timer);
  armedAt = at;
  armedWith = setTimeout;
  clearWith = clearTimeout;
  const armed = setTimeout(
    () => {
      // A timer replaced by a later arm() (and not cleared, being of another clock) does nothing.
      if (timer === armed) fire(at);
    },
    Math.max(0, Math.ceil(at - now)),
  );
  timer = armed;
  if (pending === 0) armed.unref?.();
}

/**
 * The timer armed for `armedFor` fired: the attempts due are aborted, the timer re-armed for the next. The timer
 * firing is taken as proof that `armedFor` has come (a real timer fires at most ~1 ms early; fake timers that leave
 * `performance.now()` alone, as tests install them, then still abort on the fake clock).
 */
function fire(armedFor: number): void {
  timer = undefined;
  armedAt = Number.POSITIVE_INFINITY;
  const now = Math.max(performance.now(), armedFor);
  let next = Number.POSITIVE_INFINITY;
  for (const [length, list] of lists) {
    while (list.head !== undefined && list.head.at <= now + ATTEMPT_TIMER_SLACK_MS) list.head.expire();
    if (list.head !== undefined) next = Math.min(next, list.head.at);
    else if (lists.size > MAX_IDLE_LISTS) lists.delete(length);
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next, now);
}

/**
 * A signal for one attempt: it aborts `timeoutMs` after now (reason: a `TimeoutError` DOMException, `timedOut`
 * true) or when `outer` aborts (with its reason). Call `dispose()` when the attempt ends.
 */
export function attemptSignal(outer: AbortSignal | undefined, timeoutMs: number): AttemptSignal {
  const now = performance.now();
  // Whole milliseconds, as setTimeout has: a deadline-capped timeout would otherwise make a list per call.
  const length = Math.max(0, Math.ceil(timeoutMs));
  let list = lists.get(length);
  if (list === undefined) {
    list = new List(length);
    lists.set(length, list);
  }
  const entry = new Entry(list, now + length, outer);
  if (entry.signal.aborted) {
    // Aborted by the caller already: nothing to time.
    entry.linked = false;
    return entry;
  }
  list.push(entry);
  if (pending++ === 0) timer?.ref?.();
  // The timer is armed for the earliest deadline; an armed timer that fires too early just re-arms.
  if (entry.at < armedAt || setTimeout !== armedWith) arm(Math.min(entry.at, armedAt), now);
  return entry;
}

/** Attempts waiting on the shared timer (tests). */
export function pendingAttempts(): number {
  return pending;
}

/** Whether the shared timer currently keeps the process alive (tests). */
export function attemptTimerKeepsAlive(): boolean {
  return timer?.hasRef?.() ?? false;
}
