/**
 * Observability: a small typed event hub per client plus an optional logger. Events carry no secrets: headers
 * are redacted, bodies are never included, and every payload is scrubbed before any listener or the logger
 * sees it.
 */

import { scrubValue } from './redact.js';

/** Anything with the four usual log methods (console, pino, winston, ...). */
export interface Logger {
  /** Request-level detail (redacted). */
  debug(message: string, data?: Record<string, unknown>): void;
  /** Notable, expected events (a token refresh, a retry). */
  info(message: string, data?: Record<string, unknown>): void;
  /** Something worth a look that did not fail the call. */
  warn(message: string, data?: Record<string, unknown>): void;
  /** A failed call. */
  error(message: string, data?: Record<string, unknown>): void;
}

/** A request is about to be sent (one per attempt). */
export interface RequestEvent {
  provider: string;
  operation: string;
  method: string;
  url: string;
  requestId: string;
  attempt: number;
  headers: Record<string, string>;
}

/** A response arrived (any status). */
export interface ResponseEvent {
  provider: string;
  operation: string;
  method: string;
  url: string;
  requestId: string;
  attempt: number;
  status: number;
  durationMs: number;
  vendorRequestId?: string | undefined;
}

/** An attempt failed and will be tried again after `delayMs`. */
export interface RetryEvent {
  provider: string;
  operation: string;
  requestId: string;
  attempt: number;
  delayMs: number;
  reason: string;
  status?: number | undefined;
}

/** A token was fetched, reused or evicted. */
export interface TokenEvent {
  provider: string;
  action: 'fetched' | 'evicted' | 'rotated';
  expiresAt?: string | undefined;
}

/** A write was attempted; emitted once per write with its outcome. */
export interface AuditEvent {
  provider: string;
  operation: string;
  /** Who asked (the `actor` option of the client or the call). */
  actor?: string | undefined;
  customerId?: string | undefined;
  subscriptionId?: string | undefined;
  productId?: string | undefined;
  dryRun: boolean;
  outcome: 'applied' | 'unchanged' | 'pending' | 'dry-run' | 'refused' | 'failed' | 'unknown';
  before?: unknown;
  requested?: unknown;
  after?: unknown;
  requestId?: string | undefined;
  error?: { kind: string; message: string } | undefined;
  at: string;
}

/** Something the user should know that is not an error (an inferred URL, a data change during a listing). */
export interface WarningEvent {
  provider: string;
  code: string;
  message: string;
}

/** Every event a client emits, by name. */
export interface SdkEvents {
  request: RequestEvent;
  response: ResponseEvent;
  retry: RetryEvent;
  token: TokenEvent;
  audit: AuditEvent;
  warning: WarningEvent;
}

/** Name of an SDK event. */
export type SdkEventName = keyof SdkEvents;

/** Listener for one event. */
export type SdkListener<K extends SdkEventName> = (event: SdkEvents[K]) => void;

/** Typed event hub. Listener errors are caught so observers cannot break a call. */
export class EventHub {
  readonly #listeners = new Map<SdkEventName, Set<(e: never) => void>>();
  readonly #logger: Logger | undefined;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  /** Subscribes; returns the unsubscribe function. */
  on<K extends SdkEventName>(name: K, listener: SdkListener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as (e: never) => void);
    return () => set.delete(listener as (e: never) => void);
  }

  /** Whether an event of `name` would reach anyone (a listener or the logger), so callers can skip building it. */
  observed(name: SdkEventName): boolean {
    return this.#logger !== undefined || (this.#listeners.get(name)?.size ?? 0) > 0;
  }

  /**
   * Emits to listeners and the logger. What they get is a scrubbed copy: every string of the payload has the
   * secrets of every live client replaced (see core/redact.ts), whoever built the event.
   */
  emit<K extends SdkEventName>(name: K, rawEvent: SdkEvents[K]): void {
    const listeners = this.#listeners.get(name);
    if (!this.#logger && !listeners?.size) return;
    const event = scrubValue(rawEvent);
    for (const l of listeners ?? []) {
      try {
        (l as SdkListener<K>)(event);
      } catch {
        // An observer's bug must not change the outcome of a vendor call.
      }
    }
    if (!this.#logger) return;
    const data = event as unknown as Record<string, unknown>;
    if (name === 'warning') this.#logger.warn(`[${event.provider}] ${(event as WarningEvent).message}`, data);
    else if (name === 'audit') this.#logger.info(`[${event.provider}] audit ${(event as AuditEvent).operation}`, data);
    else if (name === 'retry') this.#logger.warn(`[${event.provider}] retry ${(event as RetryEvent).operation}`, data);
    else this.#logger.debug(`[${event.provider}] ${name}`, data);
  }
}
