/**
 * A client's `signal` option, followed by each call without `AbortSignal.any`.
 *
 * The client's signal is the caller's and lives as long as the client. On Node 20, `AbortSignal.any([client, call])`
 * keeps every signal it made alive for the source's lifetime (nodejs/node#55351, fixed in later Node): 60-70 bytes
 * per call, a few KB with listeners on it, on a client that may make millions of calls. Instead, every transport
 * given the same signal shares one {@link ClientSignal}, and every call follows the caller's signal through
 * core/follow-signal.ts: ONE listener on it while a call is in flight (removed when the last one ends), which aborts
 * the in-flight calls with the caller's reason. Followers are kept in a `Set` (O(1) in and out, unlike an
 * `EventTarget`'s listener list), so thousands of concurrent calls add no listener to the caller's signal (no
 * `MaxListenersExceededWarning`, and `setMaxListeners` is never called on it).
 *
 * What a call gets as its signal:
 * - no signal of its own: the shared signal of the {@link ClientSignal} (made by the SDK, its listener limit lifted:
 *   attempts, retries and backoff waits of every in-flight call listen to it and remove their listeners when done);
 * - a signal of its own: a new signal that aborts with the client's or the call's (one listener on the call's
 *   signal, removed when the call ends).
 *
 * The shared signal never leaves the transport (attempts hand `fetch` a signal of their own), so no caller sees a
 * signal whose listener limit the SDK lifted.
 *
 * Either aborts with the reason of the signal that aborted (the client's first when both already have), as
 * `AbortSignal.any` did. Per-call options stay found by the call's own signal (core/call-context.ts): the transport
 * looks them up on the request's signal, before this.
 */
import { setMaxListeners } from 'node:events';
import { followSignal, unfollowSignal } from './follow-signal.js';

/** A call's view of the client's signal: the signal it runs under, and the end of its following. */
export interface ClientSignalScope {
  readonly signal: AbortSignal;
  /** Call once when the call has settled (success, error or abort). */
  leave(): void;
}

/** A scope with nothing to undo (already aborted at the start of the call). */
class Settled implements ClientSignalScope {
  constructor(readonly signal: AbortSignal) {}
  leave(): void {}
}

/** A call with a signal of its own: aborts with the client's (a follower of it) or its own. */
class BothSignals implements ClientSignalScope {
  readonly #controller = new AbortController();
  readonly #source: AbortSignal;
  readonly #own: AbortSignal;

  constructor(source: AbortSignal, own: AbortSignal) {
    this.#source = source;
    this.#own = own;
    followSignal(source, this.#controller);
    // A listener object, not a closure: nothing more to allocate per call.
    own.addEventListener('abort', this, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The call's own signal aborted. */
  handleEvent(): void {
    this.#controller.abort(this.#own.reason);
  }

  leave(): void {
    this.#own.removeEventListener('abort', this);
    unfollowSignal(this.#source, this.#controller);
  }
}

/**
 * One caller's client-level signal, as every transport given it follows it. Get it with {@link clientSignalOf};
 * each call takes a scope with {@link ClientSignal.enter} and leaves it when it settles.
 */
export class ClientSignal {
  readonly #source: AbortSignal;
  /** The signal of calls without one of their own; follows the source while such calls run. */
  readonly #shared = new AbortController();
  /** In-flight calls on the shared signal. */
  #onShared = 0;
  readonly #sharedScope: ClientSignalScope;

  constructor(source: AbortSignal) {
    this.#source = source;
    // Made by the SDK, not the caller's: every in-flight call without a signal of its own listens to it.
    setMaxListeners(0, this.#shared.signal);
    this.#sharedScope = { signal: this.#shared.signal, leave: () => this.#leaveShared() };
  }

  /** The scope of a call starting now, whose own signal is `own`. */
  enter(own: AbortSignal | undefined): ClientSignalScope {
    const shared = this.#shared.signal;
    // Aborted already (before the call's own, as `AbortSignal.any([client, call])` ordered them).
    if (shared.aborted) return new Settled(shared);
    if (this.#source.aborted) {
      this.#shared.abort(this.#source.reason);
      return new Settled(shared);
    }
    // The client's own signal passed to a call too is one signal, followed once.
    if (own === undefined || own === this.#source) {
      if (this.#onShared++ === 0) followSignal(this.#source, this.#shared);
      return this.#sharedScope;
    }
    if (own.aborted) return new Settled(own);
    return new BothSignals(this.#source, own);
  }

  #leaveShared(): void {
    if (--this.#onShared === 0) unfollowSignal(this.#source, this.#shared);
  }
}

/** The followers by the caller's signal: transports (and clients) given the same signal share one. */
const followers = new WeakMap<AbortSignal, ClientSignal>();

/** How transports follow `source` (a client's `signal` option); undefined without one. */
export function clientSignalOf(source: AbortSignal | undefined): ClientSignal | undefined {
  if (source === undefined) return undefined;
  let follower = followers.get(source);
  if (follower === undefined) {
    follower = new ClientSignal(source);
    followers.set(source, follower);
  }
  return follower;
}
