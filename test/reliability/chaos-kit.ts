import type { FaultInjector, FaultKind, FaultRule } from '../../src/testing/kit/faults.js';
import type { Provider } from './providers.js';

/** One share of the injected faults. */
export interface FaultShare {
  kind: FaultKind;
  /** Probability per matching request. */
  p: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
}

/** Which requests of a provider are reads (D&H's SimpleAPI sends every call as POST). Token calls are left alone. */
export function readMatch(provider: Provider): Pick<FaultRule, 'method' | 'path'> {
  if (provider === 'dandh') return { path: /^\/(Get(?!SessionToken)|List|PingPong|ValidateFields)/ };
  return { method: 'GET' };
}

/** Which requests of a provider are seat writes. */
export function writeMatch(provider: Provider): Pick<FaultRule, 'method' | 'path'> {
  switch (provider) {
    case 'pax8':
      return { method: 'PUT', path: '/subscriptions/' };
    case 'sherweb':
      return { method: 'POST', path: '/billing/subscriptions/amendments' };
    case 'ingram':
      return { method: 'POST', path: /^\/orders/ };
    case 'td-synnex':
      return { method: 'POST', path: /\/orders/ };
    case 'dandh':
      return { path: '/UpdateSubscription' };
    case 'partner-center':
      return { method: 'PATCH', path: /\/subscriptions\// };
  }
}

/**
 * Adds rules so that a matching request meets each fault with its share's probability (the rules are
 * checked in order, so each probability is made conditional on the earlier rules not firing).
 */
export function addFaults(
  faults: FaultInjector,
  match: Pick<FaultRule, 'method' | 'path'>,
  shares: FaultShare[],
): () => void {
  let left = 1;
  const removers = shares.map((s) => {
    const probability = Math.min(1, s.p / left);
    left -= s.p;
    return faults.add({
      ...match,
      kind: s.kind,
      probability,
      retryAfterSeconds: s.retryAfterSeconds,
      latencyMs: s.latencyMs,
    });
  });
  return () => {
    for (const r of removers) r();
  };
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` at a time. */
export async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
}
