/**
 * Auto-renew of the Ingram Micro fake (issue 18): `PATCH /subscriptions/{id}` with `renewalStatus` (Ingram's spec,
 * `SubscriptionUpdate`), answering the subscription as `SubscriptionDetailed`. Orders (`GET /orders`) and pricing
 * (`GET /products?mpn=`) are served by the fake's own routes.
 *
 * Choices (the fake's): only `renewalStatus` is applied (other `SubscriptionUpdate` fields are refused with 400);
 * a terminated or removed subscription cannot change it (400).
 */
import type { FakeRequest } from '../kit/fake-server.js';
import type { IngramState } from './state.js';

/** What the route needs from the fake. */
export interface IngramBillingRouteDeps {
  state: IngramState;
  json(ctx: { req: FakeRequest; correlationId: string }, body: unknown): Response;
  fail(ctx: { req: FakeRequest; correlationId: string }, status: number, message: string): Response;
}

/** The route entry for the fake's route table. */
export function ingramAutoRenewRoute(deps: IngramBillingRouteDeps): {
  method: string;
  path: RegExp;
  handle: (ctx: { req: FakeRequest; correlationId: string }, match: RegExpMatchArray) => Response;
} {
  return {
    method: 'PATCH',
    path: /^\/subscriptions\/([^/]+)\/?$/,
    handle: (ctx, m) => {
      const id = decodeURIComponent(m[1] ?? '');
      const rec = deps.state.subscriptions.get(id);
      if (!rec) return deps.fail(ctx, 404, `Subscription ${id} not found.`);
      const body = ctx.req.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) return deps.fail(ctx, 400, 'Bad Request');
      const { renewalStatus, ...rest } = body as Record<string, unknown>;
      if (Object.keys(rest).length > 0) {
        return deps.fail(ctx, 400, `The fake applies only renewalStatus (got ${Object.keys(rest).join(', ')}).`);
      }
      if (typeof renewalStatus !== 'boolean') return deps.fail(ctx, 400, 'renewalStatus must be true or false.');
      if (rec.subscription.status === 'terminated' || rec.subscription.status === 'removed') {
        return deps.fail(ctx, 400, `Subscription ${id} is ${rec.subscription.status}: its renewal cannot change.`);
      }
      rec.subscription.renewalStatus = renewalStatus;
      return deps.json(ctx, rec.subscription);
    },
  };
}
