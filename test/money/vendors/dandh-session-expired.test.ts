/**
 * D&H SimpleAPI look-alike (node:http, from the SimpleAPI docs and D&H's sample fault: POST-only RPC, a session
 * token from GetSessionToken sent as `Authenticate: CCPSessionId <token>`, and an expired session answered with
 * a WCF fault whose Detail/ServiceException/IsSessionExpired is true; dandh-tdsynnex.md 1.2, D4, D7).
 *
 * What the SDK may send again after that fault (it logs in again first):
 * - reads, seat changes and cancellations: yes, once. A seat change carries the absolute target (applied twice,
 *   the count is the same) and terminating a terminated account leaves it terminated.
 * - orders (CreateSubscription): never. D&H does not document that the fault proves nothing was created, and an
 *   order has no idempotency key: a second one would create a second subscription. The outcome is unknown.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/events.js';
import { createDandhClient } from '../../../src/providers/dandh/index.js';
import { type LookAlikeServer, send, startLookAlike } from '../../helpers/lookalike.js';

const COMPANY = 1001;
const SUB = 2001;
const ref = { customerId: String(COMPANY), subscriptionId: String(SUB) };

/** Where the look-alike ends the session: before applying the call (the usual case) or after applying it. */
type Expiry = { method: string; when: 'before-applying' | 'after-applying' } | null;

const state = {
  logins: 0,
  /** Sessions D&H has ended. */
  ended: new Set<string>(),
  expiry: null as Expiry,
  quantity: 5,
  accountState: 'Active',
  created: 0,
  calls: [] as { method: string; session: string; body: string }[],
};
let server: LookAlikeServer;

const fault = () =>
  '<Fault xmlns="http://schemas.microsoft.com/ws/2005/05/envelope/none"><Code><Value>Sender</Value></Code>' +
  '<Reason><Text xml:lang="en-US">Session is expired</Text></Reason><Detail><ServiceException ' +
  'xmlns="http://schemas.datacontract.org/2004/07/Nervogrid.Platform.API" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">' +
  '<IsSessionExpired>true</IsSessionExpired><IssueToken i:nil="true"/><Message>Session is expired</Message>' +
  '</ServiceException></Detail></Fault>';

const subscription = () => ({
  AccountId: SUB,
  ServiceName: 'M365BP',
  CompanyAccountId: COMPANY,
  AccountState: state.accountState,
  Status: state.accountState,
  ProvisioningStatus: 'Completed',
  Fields: [{ Name: 'Users', Value: String(state.quantity) }],
  PriceableItems: [{ FieldName: 'Users', IsUDRCField: true, PrepaidPeriodInMonths: 1 }],
});

/** Applies a call; returns its answer body. */
function apply(method: string, body: Record<string, unknown>): unknown {
  switch (method) {
    case 'GetSubscription':
      return subscription();
    case 'UpdateSubscription': {
      const fields = (body.subscription as { Fields: { name: string; value: string }[] }).Fields;
      state.quantity = Number(fields[0]!.value);
      return {};
    }
    case 'TerminateAccount':
      state.accountState = 'Terminated';
      return {};
    case 'GetPossibleServicesForParent':
      return [{ ProductName: 'M365BP', SimpleProductBillingInfo: [{ FieldName: 'Users' }] }];
    case 'GetFieldsForService':
      return { Fields: [{ Name: 'Users', Type: 'Int32', DisplayType: 'Mandatory' }] };
    case 'CreateSubscription':
      state.created += 1;
      return { AccountId: 3000 + state.created, ServiceName: 'M365BP', ProvisioningStatus: 'Completed' };
    default:
      return undefined;
  }
}

beforeAll(async () => {
  server = await startLookAlike((req, res) => {
    const method = req.path.slice(1);
    if (method === 'GetSessionToken') {
      state.logins += 1;
      return send(res, 200, JSON.stringify(`session-${state.logins}`));
    }
    const session = String(req.headers.authenticate ?? '').replace(/^CCPSessionId /, '');
    state.calls.push({ method, session, body: req.body });
    const xmlFault = () => send(res, 500, fault(), { 'content-type': 'application/xml; charset=utf-8' });
    if (!session || state.ended.has(session)) return xmlFault();
    const expiring = state.expiry?.method === method ? state.expiry : null;
    if (expiring) {
      state.expiry = null;
      state.ended.add(session);
      if (expiring.when === 'before-applying') return xmlFault();
      apply(method, req.json as Record<string, unknown>);
      return xmlFault();
    }
    const answer = apply(method, req.json as Record<string, unknown>);
    return answer === undefined ? send(res, 404, { Message: `no route ${method}` }) : send(res, 200, answer);
  });
});
afterAll(() => server.close());
beforeEach(() => {
  Object.assign(state, { logins: 0, expiry: null, quantity: 5, accountState: 'Active', created: 0 });
  state.ended.clear();
  state.calls.length = 0;
});

function client() {
  const c = createDandhClient({
    credentials: { username: 'money.API', password: `pw-${Math.random()}` },
    accountId: 1,
    baseUrl: server.url,
    rateLimit: false,
    quantityFields: { M365BP: 'Users' },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  const audits: AuditEvent[] = [];
  c.on('audit', (e) => audits.push(e));
  return { c, audits };
}

const calls = (method: string) => state.calls.filter((c) => c.method === method);
const buy = (c: ReturnType<typeof client>['c']) =>
  c
    .purchase({ customerId: String(COMPANY), productId: 'M365BP', quantity: 3, billingTerm: 'monthly' })
    .catch((e: unknown) => e as { kind?: string });

describe('D&H: a session that expires on a write', () => {
  for (const when of ['before-applying', 'after-applying'] as const) {
    it(`order answered "session expired" (${when}): sent once, unknown (never failed), the next call logs in again`, async () => {
      const { c, audits } = client();
      state.expiry = { method: 'CreateSubscription', when };
      const error = await buy(c);
      expect(calls('CreateSubscription')).toHaveLength(1);
      expect(state.created).toBe(when === 'after-applying' ? 1 : 0);
      expect(error).toMatchObject({ kind: 'write-outcome-unknown', operation: 'purchase' });
      expect(audits.map((a) => a.outcome)).toEqual(['unknown']);
      // The ended session is dropped: the next call logs in again and works.
      const loginsBefore = state.logins;
      await expect(c.getSubscription(ref)).resolves.toMatchObject({ quantity: 5 });
      expect(state.logins).toBe(loginsBefore + 1);
      expect(calls('CreateSubscription')).toHaveLength(1);
    });
  }

  it('seat change answered "session expired" after applying: logs in, resends the same absolute target once, 5 -> 7', async () => {
    const { c, audits } = client();
    state.expiry = { method: 'UpdateSubscription', when: 'after-applying' };
    const result = await c.setSeats(ref, 7);
    expect(result).toMatchObject({ outcome: 'applied' });
    expect(state.quantity).toBe(7);
    const updates = calls('UpdateSubscription');
    expect(updates).toHaveLength(2);
    expect(updates[1]!.body).toBe(updates[0]!.body);
    expect(updates[0]!.session).not.toBe(updates[1]!.session);
    expect(audits.map((a) => a.outcome)).toEqual(['applied']);
  });

  it('addSeats answered "session expired" before applying: one seat added, not two', async () => {
    const { c } = client();
    state.expiry = { method: 'UpdateSubscription', when: 'before-applying' };
    await c.addSeats(ref, 1);
    expect(state.quantity).toBe(6);
    expect(calls('UpdateSubscription')).toHaveLength(2);
  });

  it('cancellation answered "session expired" after applying: resent once, cancelled', async () => {
    const { c } = client();
    state.expiry = { method: 'TerminateAccount', when: 'after-applying' };
    await c.cancelSubscription(ref);
    expect(state.accountState).toBe('Terminated');
    expect(calls('TerminateAccount')).toHaveLength(2);
  });
});
