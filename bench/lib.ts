import { randomUUID } from 'node:crypto';
import type * as Pax8 from '../src/providers/pax8/index.js';

/**
 * The benchmarks measure the built package (dist/, as users run it), not src/ through tsx, whose transform adds
 * work of its own (e.g. a `__name` call per closure). `npm run bench` builds first. Types come from src/.
 */
const { createPax8Client } = (await import(new URL('../dist/pax8.js', import.meta.url).href)) as typeof Pax8;
type Pax8ClientOptions = Pax8.Pax8ClientOptions;

/** One measured figure, as printed by `bench/run.ts --json`. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The goal as text (`<= 1.25`, `== 1`), or null when the figure is only reported. */
  goal: string | null;
  /** Whether the goal holds (null when there is no goal). */
  holds: boolean | null;
  /** How it was measured (table only). */
  note?: string;
  /**
   * The spread of the figure over its rounds (each round gives one value; `value` is their median unless the
   * figure says otherwise). A figure measured once has p10 = p50 = p90 = value and `rounds: 1`.
   */
  spread: Spread;
  /** Absolute times behind the figure, in µs (e.g. each task's median p50), or null when it is not a time. */
  us: Record<string, number> | null;
  /** Why the figure was not measured (e.g. `REDIS_URL not set`); its value is then 0 and its goal null. */
  skipped?: string;
}

/** p10/p50/p90 of a figure's per-round values. */
export interface Spread {
  p10: number;
  p50: number;
  p90: number;
  rounds: number;
}

/** The value at quantile `q` (0..1) of numbers, interpolated between neighbours. */
export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

/** The spread of per-round values, rounded to `digits`. */
export function spreadOf(values: number[], digits = 3): Spread {
  return {
    p10: round(quantile(values, 0.1), digits),
    p50: round(quantile(values, 0.5), digits),
    p90: round(quantile(values, 0.9), digits),
    rounds: values.length,
  };
}

/** Extra parts of a figure: its spread over rounds and the absolute times behind it. */
export interface FigureDetails {
  spread?: Spread | undefined;
  us?: Record<string, number> | undefined;
}

/** A goal: comparison and bound. */
export type Goal = ['<=' | '<' | '>=' | '==', number] | null;

/** Builds a figure, deciding whether its goal holds. */
export function figure(
  name: string,
  value: number,
  unit: string,
  goal: Goal,
  note?: string,
  details: FigureDetails = {},
): Figure {
  let holds: boolean | null = null;
  if (goal) {
    const [op, bound] = goal;
    holds = op === '<=' ? value <= bound : op === '<' ? value < bound : op === '>=' ? value >= bound : value === bound;
  }
  return {
    name,
    value,
    unit,
    goal: goal ? `${goal[0]} ${goal[1]}` : null,
    holds,
    ...(note ? { note } : {}),
    spread: details.spread ?? { p10: value, p50: value, p90: value, rounds: 1 },
    us: details.us ?? null,
  };
}

/** The median of numbers (mean of the middle two for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A rate limit high enough never to delay a benchmark call (the limiter stays on). */
export const UNTHROTTLED = { requests: 1_000_000, perMs: 1000, maxConcurrent: 64 };

/** A Pax8 client pointed at the bench server, with a credential of its own (a cold token cache). */
export function benchClient(baseUrl: string, options: Partial<Pax8ClientOptions> = {}) {
  return createPax8Client({
    credentials: { clientId: `bench-${randomUUID()}`, clientSecret: 'bench-secret' },
    baseUrl,
    rateLimit: UNTHROTTLED,
    ...options,
  });
}
