/** Options of {@link KeyedMutex.run}. */
export interface KeyedMutexRunOptions {
  /** Give up waiting after this long (the task then never runs): rejects with `timeoutError()`. */
  waitMs?: number | undefined;
  /** The error a wait that ran out rejects with. */
  timeoutError?: (() => Error) | undefined;
  /** Stop waiting when aborted (the task then never runs): rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** Serializes async work per key within this process (e.g. seat changes of one subscription). */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  /**
   * Runs `task` after every earlier task of the same key has settled. A caller that stops waiting (timeout,
   * abort) keeps its place in the queue as an empty turn, so the order of the others is kept.
   */
  async run<T>(key: string, task: () => Promise<T>, options: KeyedMutexRunOptions = {}): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const turnDone = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(
      () => turnDone,
      () => turnDone,
    );
    this.#tails.set(key, tail);
    try {
      await waitTurn(previous, options);
      return await task();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

/** Resolves when `previous` settles; rejects on timeout or abort first. */
function waitTurn(previous: Promise<unknown>, options: KeyedMutexRunOptions): Promise<void> {
  const { waitMs, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (waitMs === undefined && !signal) return previous.then(noop, noop);
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => finish(() => reject(signal?.reason));
    const finish = (then: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      then();
    };
    if (waitMs !== undefined) {
      timer = setTimeout(
        () => finish(() => reject(options.timeoutError?.() ?? new Error(`waited more than ${waitMs} ms`))),
        waitMs,
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    previous.then(
      () => finish(resolve),
      () => finish(resolve),
    );
  });
}

function noop(): void {}
