import {
  type BoundCall,
  type CallOptions,
  bindCallContext,
  callContextOf,
  checkCallContext,
  hasCallOptions,
} from './call-context.js';
import { type ByPageOptions, type Page, PagedList } from './pagination.js';
import { scrubError } from './redact.js';

/**
 * The public boundary of a client, where errors leave the SDK: every method of the client scrubs what it throws
 * ({@link scrubError}: every string field, the stack and the whole cause chain) with the secrets of every live
 * client. Applied once in the client's constructor to every method of its class chain, so a method added later is
 * covered without anyone remembering to: redaction by construction, not by field.
 */

/** A listing whose pages' errors are scrubbed (iteration, `byPage` and `toArray` all go through `byPage`). */
class ScrubbingPagedList<T> extends PagedList<T> {
  readonly #inner: PagedList<T>;
  /** A listing with per-call options follows the caller's signal while a page iteration runs. */
  readonly #bound: BoundCall | undefined;
  constructor(inner: PagedList<T>, bound?: BoundCall) {
    super(() => Promise.reject(new Error('ScrubbingPagedList fetches through the wrapped listing')));
    this.#inner = inner;
    this.#bound = bound;
  }
  /** Limits apply to the listing that fetches. */
  override withLimits(limits: Parameters<PagedList<T>['withLimits']>[0]): this {
    this.#inner.withLimits(limits);
    return this;
  }
  override async *byPage(options: ByPageOptions = {}): AsyncGenerator<Page<T>, void, undefined> {
    this.#bound?.follow();
    try {
      yield* this.#inner.byPage(options);
    } catch (error) {
      throw scrubError(error);
    } finally {
      this.#bound?.release();
    }
  }
}

function scrubbed(result: unknown): unknown {
  if (result instanceof Promise) return result.then(undefined, (error: unknown) => Promise.reject(scrubError(error)));
  if (result instanceof PagedList && !(result instanceof ScrubbingPagedList)) return new ScrubbingPagedList(result);
  return result;
}

/** Whether options already carry a call's own signal (bound by an outer boundary). */
function isBound(options: unknown): boolean {
  return callContextOf((options as { signal?: AbortSignal }).signal) !== undefined;
}

/**
 * Runs a public method whose last argument carries per-call options (core/call-context.ts): they are checked, and
 * the call gets a signal of its own that follows the caller's, under which the transport finds them.
 */
function withCallOptions(self: unknown, method: (...args: unknown[]) => unknown, name: string, args: unknown[]) {
  const last = args.length - 1;
  const options = args[last] as CallOptions & { signal?: AbortSignal | undefined };
  const provider = (self as { provider?: unknown }).provider;
  let context: ReturnType<typeof checkCallContext>;
  try {
    context = checkCallContext(options, name, typeof provider === 'string' ? provider : undefined);
  } catch (error) {
    // An async method rejects (it never throws); a listing throws, as its own option checks do.
    if (method.constructor.name === 'AsyncFunction') return Promise.reject(error);
    throw error;
  }
  const bound = bindCallContext(context, options.signal);
  const call = [...args];
  call[last] = { ...options, signal: bound.signal };
  bound.follow();
  let result: unknown;
  try {
    result = method.apply(self, call);
  } catch (error) {
    bound.release();
    throw error;
  }
  // A call follows the caller's signal until it settles; a listing while each page iteration runs.
  if (result instanceof Promise) result.then(bound.release, bound.release);
  else {
    bound.release();
    // Wrapped even when an inner boundary already scrubs it: this one makes the pages follow the caller's signal.
    if (result instanceof PagedList) return new ScrubbingPagedList(result, bound);
  }
  return result;
}

/**
 * Wraps every method of `instance`'s class chain, from its own class up to and including `upTo` (a prototype),
 * so that what it throws, rejects with or fails a listing with is scrubbed of secrets. The wrappers are own,
 * non-enumerable properties of the instance that call the prototype's method at call time (spies and overrides
 * keep working).
 */
export function scrubErrorsAtBoundary(instance: object, upTo: object): void {
  const done = new Set<string>(['constructor']);
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype; ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (done.has(name)) continue;
      done.add(name);
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (!descriptor || typeof descriptor.value !== 'function') continue;
      const owner = proto as Record<string, (...args: unknown[]) => unknown>;
      Object.defineProperty(instance, name, {
        value: function scrubbingBoundary(this: unknown, ...args: unknown[]): unknown {
          try {
            // Per-call options (issue 19) ride on the last argument (the options, or a purchase's input).
            // A method called by another with the options it got (already bound) passes them on as they are.
            if (args.length > 0 && hasCallOptions(args[args.length - 1]) && !isBound(args[args.length - 1]))
              return scrubbed(withCallOptions(this, owner[name]!, name, args));
            return scrubbed(owner[name]!.apply(this, args));
          } catch (error) {
            throw scrubError(error);
          }
        },
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
    if (proto === upTo) break;
    proto = Object.getPrototypeOf(proto);
  }
}
