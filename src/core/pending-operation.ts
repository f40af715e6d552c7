import type { OperationState, PendingOperation, WaitOptions } from '../model/operations.js';
import { TimeoutError } from './errors.js';
import { scrubError } from './redact.js';
import { sleep } from './sleep.js';

/** Options of {@link createPendingOperation}. */
export interface PendingOperationOptions {
  provider: string;
  id: string;
  kind: string;
  initial: OperationState;
  /** Reads the operation's current state from the vendor. */
  poll: (signal?: AbortSignal) => Promise<OperationState>;
  /** Default poll interval (ms) when the caller gives none. */
  defaultPollIntervalMs?: number;
}

const SETTLED = new Set(['succeeded', 'failed', 'partially-succeeded', 'cancelled']);

/**
 * A vendor operation that finishes later (an order, an amendment, a tracking id). `waitForCompletion`
 * polls until it settles; a timeout is a `TimeoutError`, an abort rejects with the signal's reason at once,
 * and no timer is left behind either way.
 */
export function createPendingOperation(options: PendingOperationOptions): PendingOperation {
  return {
    provider: options.provider,
    id: options.id,
    kind: options.kind,
    initial: options.initial,
    async waitForCompletion(wait: WaitOptions = {}): Promise<OperationState> {
      const timeoutMs = wait.timeoutMs ?? 10 * 60_000;
      const interval = wait.pollIntervalMs ?? options.defaultPollIntervalMs ?? 5_000;
      const deadline = Date.now() + timeoutMs;
      let state = options.initial;
      for (;;) {
        if (SETTLED.has(state.status)) return state;
        const left = deadline - Date.now();
        if (left <= 0) {
          throw scrubError(
            new TimeoutError(
              `${options.kind} ${options.id} did not finish within ${timeoutMs} ms (last status: ${state.rawStatus ?? state.status})`,
              {
                provider: options.provider,
                operation: 'waitForCompletion',
                retryable: true,
                hint: 'The operation may still finish at the vendor: wait again with the same operation, or check the portal.',
              },
            ),
          );
        }
        await sleep(Math.min(interval, left), wait.signal);
        // A poll failure leaves the SDK here, outside any client method: scrubbed like one (core/secret-boundary.ts).
        state = await options.poll(wait.signal).catch((error: unknown) => Promise.reject(scrubError(error)));
        wait.onProgress?.(state);
      }
    },
  };
}
