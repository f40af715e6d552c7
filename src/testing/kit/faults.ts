/**
 * Fault injection shared by every vendor fake: a rule matches requests by method and path and decides
 * what goes wrong. Faults that happen "before" never touch the fake's state; `response-lost` and
 * `truncated` happen after the fake applied the request, which is how a write whose answer never
 * arrives looks to a client.
 */

/** What an injected fault does to one request. */
export type FaultKind =
  /** HTTP 500 before the request is applied. */
  | 'http-500'
  /** HTTP 502 before the request is applied. */
  | 'http-502'
  /** HTTP 503 before the request is applied. */
  | 'http-503'
  /** HTTP 429, with `Retry-After` when `retryAfterSeconds` is set. */
  | 'http-429'
  /** The connection drops before the request is applied (the client sees a network error). */
  | 'reset'
  /** The server never answers in time (waits `latencyMs`, default 60 s) before the request is applied. */
  | 'timeout'
  /** Waits `latencyMs` and then serves the request normally. */
  | 'latency'
  /** The request is applied, then the connection drops: the client never sees the answer. */
  | 'response-lost'
  /** The request is applied, then the body is cut in half. */
  | 'truncated'
  /** The request is applied, then the server answers 500 (a 5xx after the fact). */
  | 'applied-then-500';

/** One fault rule. Rules are checked in the order they were added; the first that fires wins. */
export interface FaultRule {
  kind: FaultKind;
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Path (relative to the fake's base URL) to match: a prefix string or a regular expression. */
  path?: string | RegExp;
  /** How many times the rule fires before it is spent (unlimited when omitted). */
  times?: number;
  /** Probability in [0, 1] that a matching request is hit (1 when omitted). */
  probability?: number;
  /** For `http-429`: the `Retry-After` header in seconds (omitted: no header). */
  retryAfterSeconds?: number;
  /** For `latency` and `timeout`: how long to wait, in ms. */
  latencyMs?: number;
}

/** A fault that fired, as recorded by {@link FaultInjector.fired}. */
export interface FiredFault {
  kind: FaultKind;
  method: string;
  path: string;
}

/** Deterministic PRNG (mulberry32) so fault runs are reproducible from a seed. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ActiveRule extends FaultRule {
  remaining: number;
}

/** Holds the fault rules of one fake and records what fired. */
export class FaultInjector {
  readonly #rules: ActiveRule[] = [];
  readonly #random: () => number;
  /** Every fault that fired, in order. */
  readonly fired: FiredFault[] = [];

  constructor(seed = 1) {
    this.#random = createRandom(seed);
  }

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const active: ActiveRule = { ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY };
    this.#rules.push(active);
    return () => {
      const i = this.#rules.indexOf(active);
      if (i >= 0) this.#rules.splice(i, 1);
    };
  }

  /** Removes every rule (the record of fired faults is kept). */
  clear(): void {
    this.#rules.length = 0;
  }

  /** Picks the fault for a request, if any, and records it. */
  pick(method: string, path: string): FaultRule | undefined {
    for (const rule of this.#rules) {
      if (rule.remaining <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path !== undefined) {
        const hit = typeof rule.path === 'string' ? path.startsWith(rule.path) : rule.path.test(path);
        if (!hit) continue;
      }
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      rule.remaining -= 1;
      this.fired.push({ kind: rule.kind, method: method.toUpperCase(), path });
      return rule;
    }
    return undefined;
  }
}
