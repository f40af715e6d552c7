/**
 * A caller's long-lived signal followed by many listings, without `AbortSignal.any` and without a listener each.
 *
 * A listing's `signal` may be a service-wide shutdown signal passed to thousands of listings. On Node 20,
 * `AbortSignal.any([caller, own])` keeps every signal it made alive for as long as the caller's lives
 * (nodejs/node#55351, fixed in later Node), and it flattens: an `AbortSignal.any` over such a combined signal
 * registers on the caller's too (every page read ahead, every Ingram page). A listener per listing instead would
 * warn of too many listeners past 10 concurrent listings (and `setMaxListeners` is never called on a caller's
 * signal). So, as core/client-signal.ts does for a client's signal: the controllers following one source are kept
 * in a `Set` (O(1) in and out), the source gets ONE listener while the set is not empty (removed with the last
 * one), and that listener aborts each of them with the source's reason.
 *
 * A follower must be unfollowed when its work ends (success, error, abort, a consumer that stops early): until
 * then it is held by the source's follower set.
 */

/** The controllers following one source, and the one listener on it while there are any. */
class Followers {
  readonly #source: AbortSignal;
  readonly #controllers = new Set<AbortController>();

  constructor(source: AbortSignal) {
    this.#source = source;
  }

  add(controller: AbortController): void {
    // A listener object, not a closure: nothing more to allocate per source.
    if (this.#controllers.size === 0) this.#source.addEventListener('abort', this, { once: true });
    this.#controllers.add(controller);
  }

  delete(controller: AbortController): void {
    if (this.#controllers.delete(controller) && this.#controllers.size === 0) {
      this.#source.removeEventListener('abort', this);
    }
  }

  /** The source aborted: every follower aborts with its reason (the set is emptied first: aborts may unfollow). */
  handleEvent(): void {
    const reason = this.#source.reason;
    const controllers = [...this.#controllers];
    this.#controllers.clear();
    for (const controller of controllers) controller.abort(reason);
  }
}

/** Followers by source (weak: a source no longer referenced goes with its followers). */
const bySource = new WeakMap<AbortSignal, Followers>();

/**
 * Makes `controller` abort with `source`'s reason when `source` aborts, until {@link unfollowSignal}. A source
 * already aborted aborts `controller` at once (and nothing is registered).
 */
export function followSignal(source: AbortSignal, controller: AbortController): void {
  if (source.aborted) {
    controller.abort(source.reason);
    return;
  }
  let followers = bySource.get(source);
  if (followers === undefined) {
    followers = new Followers(source);
    bySource.set(source, followers);
  }
  followers.add(controller);
}

/** Stops `controller` following `source` (idempotent); the source's listener goes with its last follower. */
export function unfollowSignal(source: AbortSignal, controller: AbortController): void {
  bySource.get(source)?.delete(controller);
}
