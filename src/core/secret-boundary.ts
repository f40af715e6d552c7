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
  constructor(inner: PagedList<T>) {
    super(() => Promise.reject(new Error('ScrubbingPagedList fetches through the wrapped listing')));
    this.#inner = inner;
  }
  /** Limits apply to the listing that fetches. */
  override withLimits(limits: Parameters<PagedList<T>['withLimits']>[0]): this {
    this.#inner.withLimits(limits);
    return this;
  }
  override async *byPage(options: ByPageOptions = {}): AsyncGenerator<Page<T>, void, undefined> {
    try {
      yield* this.#inner.byPage(options);
    } catch (error) {
      throw scrubError(error);
    }
  }
}

function scrubbed(result: unknown): unknown {
  if (result instanceof Promise) return result.then(undefined, (error: unknown) => Promise.reject(scrubError(error)));
  if (result instanceof PagedList && !(result instanceof ScrubbingPagedList)) return new ScrubbingPagedList(result);
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
