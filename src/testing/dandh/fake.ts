import { HttpResponse } from 'msw';
import { type FakeRequest, type RecordedRequest, fakeHandlers } from '../kit/fake-server.js';
import { FaultInjector } from '../kit/faults.js';
import { RateWindow } from '../kit/rate-window.js';
import type { Clock, VendorFake } from '../kit/types.js';
import { buildDandhSubscription, addMonths, seedDandh, seedDandhCatalog } from './seed.js';
import {
  type DandhCompany,
  type DandhService,
  type DandhState,
  type DandhSubscription,
  createDandhState,
  dandhDate,
  fieldValue,
  parseDandhDate,
} from './state.js';
import { dandhBillingMethods } from './billing.js';

/** Default base URL of the D&H SimpleAPI (no trailing slash). */
export const DANDH_DEFAULT_BASE_URL = 'https://cp.dandhcloudsolutions.com/SimpleAPI/SimpleAPIService.svc/rest';

/** What the D&H fake accepts as a login: a portal user and the reseller's own account ID. */
export interface DandhCredentials {
  username: string;
  password: string;
  /** The reseller's "Account ID" from the portal URL (used as `parentAccountId`). */
  accountId: string;
}

/** Default fake credentials. */
export const DANDH_DEFAULT_CREDENTIALS: DandhCredentials = {
  username: 'fake-dandh-api-user',
  password: 'fake-dandh-password',
  accountId: '100001',
};

/** A user name the fake treats as MFA-enabled (its login is refused the vendor's way). */
export const DANDH_MFA_USERNAME = 'fake-dandh-mfa-user';

/** Options of {@link createDandhFake}. */
export interface DandhFakeOptions {
  baseUrl?: string;
  credentials?: Partial<DandhCredentials>;
  /** Clock; `() => new Date()` by default so vitest fake timers apply. */
  now?: Clock;
  /** Seed companies and subscriptions (default true). The catalog is always present. */
  seed?: boolean;
  /** Answer 429 once more than `limit` requests arrive within `windowMs`. */
  rateLimit?: { limit: number; windowMs: number; retryAfter?: boolean };
  faultSeed?: number;
  /** Session lifetime in ms from login (default 1 h; the real lifetime is undocumented). */
  sessionLifetimeMs?: number;
  /** How long a quantity change or a new subscription stays in provisioning (default 60 s). */
  provisioningMs?: number;
  /** User names with MFA enabled (default: {@link DANDH_MFA_USERNAME}); they log in with the normal password. */
  mfaUsernames?: string[];
  /** Accept `Authenticate: <token>` without the `CCPSessionId ` prefix, as one production client does (default false). */
  acceptBareToken?: boolean;
}

/** A state-changing request the fake applied. */
export interface DandhAppliedWrite {
  operation: 'CreateSubscription' | 'UpdateSubscription' | 'TerminateAccount';
  /** The subscription `AccountId` the write touched. */
  accountId: number;
  body: unknown;
  at: string;
}

/** The D&H fake: msw handlers, state and helpers. */
export interface DandhFake extends VendorFake<DandhState, DandhCredentials> {
  /** How many session tokens `GetSessionToken` issued. */
  readonly issuedTokens: number;
  /** State-changing requests that were applied, in order. */
  readonly appliedWrites: DandhAppliedWrite[];
  /** The rate window, when `rateLimit` is set (its `rejected` counts 429s). */
  readonly rateWindow: RateWindow | undefined;
  /** Makes every live session expire: the next call answers the `IsSessionExpired` fault. */
  expireAllTokens(): void;
  /** Subscription `AccountId`s with provisioning still pending. */
  pendingProvisioning(): number[];
  /** Completes one pending provisioning now. */
  complete(accountId: number): void;
  /** Completes every pending provisioning now; returns how many completed. */
  completeAll(): number;
  /** Fails a pending provisioning: the quantity goes back, `ProvisioningStatus` is `Failed`, `ErrorDetails` set. */
  fail(accountId: number, message?: string): void;
  /** The quantity of a subscription per its service's quantity field (null when it has none). */
  quantityOf(accountId: number): number | null;
}

const WS_ENVELOPE_NS = 'http://schemas.microsoft.com/ws/2005/05/envelope/none';
const NERVOGRID_NS = 'http://schemas.datacontract.org/2004/07/Nervogrid.Platform.API';
const DAY = 86_400_000;
/** Decrease/cancel window after the start of a commitment term (Microsoft NCE: 7 days). */
const CANCEL_WINDOW_MS = 7 * DAY;

function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}

/** A WCF fault as the SimpleAPI sends it (XML, even though requests are JSON). */
export function dandhFault(
  message: string,
  options: { status?: number; sessionExpired?: boolean; issueToken?: string; headers?: Record<string, string> } = {},
): Response {
  const xml =
    `<Fault xmlns="${WS_ENVELOPE_NS}"><Code><Value>Sender</Value></Code>` +
    `<Reason><Text xml:lang="en-US">${escapeXml(message)}</Text></Reason>` +
    `<Detail><ServiceException xmlns="${NERVOGRID_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
    `<IsSessionExpired>${options.sessionExpired ? 'true' : 'false'}</IsSessionExpired>` +
    `<IssueToken>${escapeXml(options.issueToken ?? '')}</IssueToken>` +
    `<Message>${escapeXml(message)}</Message></ServiceException></Detail></Fault>`;
  return new HttpResponse(xml, {
    status: options.status ?? 500,
    headers: { 'Content-Type': 'text/xml; charset=utf-8', ...(options.headers ?? {}) },
  });
}

/** Thrown inside the dispatcher to answer with a fault. */
class Fault extends Error {
  constructor(
    message: string,
    readonly status = 500,
    readonly sessionExpired = false,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intParam(body: Body, key: string, required: true): number;
function intParam(body: Body, key: string, required: false): number | undefined;
function intParam(body: Body, key: string, required: boolean): number | undefined {
  const v = body[key];
  if (v === undefined) {
    if (required) throw new Fault(`The parameter '${key}' is required.`);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Fault(`The parameter '${key}' must be an integer.`);
  return v;
}

/** Creates the stateful D&H Cloud Marketplace (SimpleAPI) fake. */
export function createDandhFake(options: DandhFakeOptions = {}): DandhFake {
  const baseUrl = (options.baseUrl ?? DANDH_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const credentials: DandhCredentials = { ...DANDH_DEFAULT_CREDENTIALS, ...(options.credentials ?? {}) };
  const clock: Clock = options.now ?? (() => new Date());
  const now = () => clock().getTime();
  const sessionLifetimeMs = options.sessionLifetimeMs ?? 3_600_000;
  const provisioningMs = options.provisioningMs ?? 60_000;
  const mfaUsernames = options.mfaUsernames ?? [DANDH_MFA_USERNAME];
  const resellerId = Number(credentials.accountId);
  const state = createDandhState(resellerId);
  seedDandhCatalog(state);
  if (options.seed !== false) seedDandh(state, now());
  else {
    state.accounts.set(resellerId, {
      AccountId: resellerId,
      ParentAccountId: 1,
      AccountState: 'Active',
      AccountType: 'Reseller',
      CompanyName: 'Fake MSP Reseller',
      VATID: '',
      Domain: [],
      BillingStartDate: '2020-01-01T00:00:00.000',
      ContractId: '',
      PurchaseOrderNumber: '',
      CustomerId: '',
      Currency: 'USD',
      Address: '',
      City: '',
      Country: 'United States',
      Zip: '',
      Email: '',
      TechnicalEmail: '',
      Marketplace: 101,
      Marketplaces: [101],
      MPNId: '',
    });
  }
  const faults = new FaultInjector(options.faultSeed ?? 1);
  const requests: RecordedRequest[] = [];
  const appliedWrites: DandhAppliedWrite[] = [];
  const rateWindow = options.rateLimit
    ? new RateWindow({ limit: options.rateLimit.limit, windowMs: options.rateLimit.windowMs, now })
    : undefined;
  let issuedTokens = 0;

  const clone = <T>(v: T): T => structuredClone(v);

  function isVisible(accountId: number): boolean {
    let current = state.accounts.get(accountId);
    for (let hops = 0; current && hops < 10; hops++) {
      if (current.AccountId === resellerId) return true;
      current = state.accounts.get(current.ParentAccountId);
    }
    return false;
  }

  function visibleAccount(accountId: number): DandhCompany {
    const account = state.accounts.get(accountId);
    if (!account || !isVisible(accountId)) throw new Fault(`No account found with AccountId ${accountId}.`);
    return account;
  }

  function visibleSubscription(accountId: number): DandhSubscription {
    const sub = state.subscriptions.get(accountId);
    if (!sub || !isVisible(sub.CompanyAccountId)) throw new Fault(`No account found with AccountId ${accountId}.`);
    return sub;
  }

  function checkResellerContext(body: Body): void {
    if (!('resellerContext' in body)) return;
    const ctx = body.resellerContext;
    if (typeof ctx !== 'number' || !Number.isInteger(ctx)) {
      throw new Fault("The parameter 'resellerContext' must be an integer; remove it from the payload if unused.");
    }
    const account = state.accounts.get(ctx);
    if (account?.AccountType !== 'Reseller' || !isVisible(ctx)) {
      throw new Fault(`No reseller found with AccountId ${ctx}.`);
    }
  }

  function serviceOf(sub: DandhSubscription): DandhService {
    const service = state.services.get(sub.ServiceName);
    if (!service) throw new Fault(`Service ${sub.ServiceName} is not available.`);
    return service;
  }

  /** Start of the current commitment term (the last anniversary of `BillingStartDate` not after now). */
  function currentTermStart(sub: DandhSubscription, service: DandhService): number {
    const start = parseDandhDate(sub.BillingStartDate);
    if (service.commitmentMonths <= 0) return start;
    let termStart = start;
    for (let next = addMonths(termStart, service.commitmentMonths); next <= now(); ) {
      termStart = next;
      next = addMonths(termStart, service.commitmentMonths);
    }
    return termStart;
  }

  function insideCancelWindow(sub: DandhSubscription, service: DandhService): boolean {
    if (service.commitmentMonths <= 0) return true;
    return now() - currentTermStart(sub, service) <= CANCEL_WINDOW_MS;
  }

  /** Completes provisioning whose time has come. */
  function settle(): void {
    const t = now();
    for (const [id, p] of state.provisioning) if (p.readyAt <= t) completeOne(id);
  }

  function completeOne(accountId: number): void {
    const sub = state.subscriptions.get(accountId);
    state.provisioning.delete(accountId);
    if (!sub) return;
    sub.ProvisioningStatus = 'Provisioned';
    sub.ErrorDetails = '';
    if (sub.Status === 'Pending') sub.Status = 'Active';
  }

  /** Checks `Fields` values against a service's order form; returns normalized string values. */
  function validateValues(
    service: DandhService,
    values: Record<string, unknown>,
    mode: 'create' | 'update',
  ): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, raw] of Object.entries(values)) {
      const def = service.fields.find((f) => f.Name === name);
      if (!def) throw new Fault(`Unknown field '${name}' for service ${service.info.ProductName}.`);
      if (def.DisplayType === 'Readonly') {
        if (mode === 'update') throw new Fault(`Field '${name}' is read-only.`);
        continue;
      }
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
        throw new Fault(`Value of field '${name}' is invalid.`);
      }
      const value = String(raw);
      if (def.Type === 'int') {
        const n = Number(value);
        if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
          throw new Fault(`Value of field '${name}' is invalid.`);
        if (def.MinValue !== null && n < def.MinValue) {
          throw new Fault(`Value of field '${name}' must be at least ${def.MinValue}.`);
        }
        if (def.MaxValue !== null && n > def.MaxValue) {
          throw new Fault(`Value of field '${name}' must be at most ${def.MaxValue}.`);
        }
        out[name] = String(n);
      } else {
        if (def.Validator && !new RegExp(def.Validator).test(value)) {
          throw new Fault(`Value of field '${name}' is invalid.`);
        }
        out[name] = value;
      }
    }
    if (mode === 'create') {
      for (const def of service.fields) {
        if (def.DisplayType === 'Mandatory' && out[def.Name] === undefined) {
          throw new Fault(`Field '${def.Name}' is mandatory.`);
        }
      }
    }
    return out;
  }

  function tenantOf(companyId: number): DandhSubscription | undefined {
    for (const sub of state.subscriptions.values()) {
      if (
        sub.CompanyAccountId === companyId &&
        sub.AccountState === 'Active' &&
        state.services.get(sub.ServiceName)?.quantityField === null
      ) {
        return sub;
      }
    }
    return undefined;
  }

  interface Prepared {
    company: DandhCompany;
    service: DandhService;
    values: Record<string, string>;
    tenant?: DandhSubscription;
  }

  function prepareCreate(account: Body): Prepared {
    const parentId = intParam(account, 'ParentAccountId', true);
    const company = visibleAccount(parentId);
    if (company.AccountType !== 'Company') throw new Fault(`Account ${parentId} cannot have subscriptions.`);
    if (company.AccountState !== 'Active') throw new Fault(`Account ${parentId} is terminated.`);
    const serviceName = account.ServiceName;
    if (typeof serviceName !== 'string' || !serviceName) throw new Fault("The parameter 'ServiceName' is required.");
    const service = state.services.get(serviceName);
    if (!service) throw new Fault(`Service ${serviceName} is not available for account ${parentId}.`);
    if (!isObject(account.Fields)) throw new Fault("The parameter 'Fields' is required.");
    const values = validateValues(service, account.Fields, 'create');
    let tenant: DandhSubscription | undefined;
    if (service.requiresTenant) {
      tenant = tenantOf(company.AccountId);
      if (!tenant) throw new Fault('The service requires an active Microsoft Organization tenant subscription.');
    } else if (tenantOf(company.AccountId)) {
      throw new Fault('The company already has a Microsoft Organization tenant subscription.');
    }
    return { company, service, values, ...(tenant ? { tenant } : {}) };
  }

  interface PreparedUpdate {
    sub: DandhSubscription;
    service: DandhService;
    values: Record<string, string>;
  }

  function prepareUpdate(
    sub: DandhSubscription,
    service: DandhService,
    values: Record<string, unknown>,
  ): PreparedUpdate {
    if (sub.AccountState !== 'Active') throw new Fault(`Subscription ${sub.AccountId} is terminated.`);
    const checked = validateValues(service, values, 'update');
    const q = service.quantityField;
    if (q && checked[q] !== undefined) {
      const current = Number(fieldValue(sub, q) ?? '0');
      const target = Number(checked[q]);
      if (target < current && !insideCancelWindow(sub, service)) {
        throw new Fault(
          `The quantity of subscription ${sub.AccountId} cannot be decreased after the cancellation period ` +
            `(7 days after the start of the term); it can be decreased at renewal.`,
        );
      }
    }
    return { sub, service, values: checked };
  }

  function record(operation: DandhAppliedWrite['operation'], accountId: number, body: unknown): void {
    appliedWrites.push({ operation, accountId, body: clone(body), at: clock().toISOString() });
  }

  function requireSession(req: FakeRequest): void {
    const header = req.headers.get('authenticate');
    if (!header) throw new Fault('Session token is missing: send the Authenticate header "CCPSessionId <token>".');
    let token: string;
    if (header.startsWith('CCPSessionId ')) token = header.slice('CCPSessionId '.length).trim();
    else if (options.acceptBareToken) token = header.trim();
    else throw new Fault('Invalid Authenticate header: expected "CCPSessionId <token>".');
    const session = state.sessions.get(token);
    if (!session || session.expiresAt <= now()) {
      state.sessions.delete(token);
      throw new Fault('Session expired. Please log in again.', 500, true);
    }
  }

  const json = (value: unknown) => HttpResponse.json(value as Parameters<typeof HttpResponse.json>[0]);
  const empty = () => new HttpResponse(null, { status: 200 });

  const methods: Record<string, (body: Body, req: FakeRequest) => Response> = {
    TerminateSessionToken: (_body, req) => {
      const header = req.headers.get('authenticate') ?? '';
      state.sessions.delete(header.replace(/^CCPSessionId /, '').trim());
      return empty();
    },
    PingPong: () => empty(),
    // Billing reads (invoices, preview): testing/dandh/billing.ts.
    ...dandhBillingMethods({
      state,
      now: clock,
      json,
      badParameter: (message) => {
        throw new Fault(message);
      },
    }),
    GetCompanies: (body) => {
      const parent = visibleAccount(intParam(body, 'parentAccountId', true));
      const list = [...state.accounts.values()].filter(
        (a) => a.ParentAccountId === parent.AccountId && a.AccountType === 'Company',
      );
      return json(list.map(clone));
    },
    GetResellers: (body) => {
      const parent = visibleAccount(intParam(body, 'parentAccountId', true));
      const list = [...state.accounts.values()].filter(
        (a) => a.ParentAccountId === parent.AccountId && a.AccountType === 'Reseller',
      );
      return json(list.map(clone));
    },
    GetCompany: (body) => {
      const id = intParam(body, 'accountId', false) ?? resellerId;
      return json([clone(visibleAccount(id))]);
    },
    GetSubscriptions: (body) => {
      const parent = visibleAccount(intParam(body, 'parentAccountId', true));
      checkResellerContext(body);
      if ('excludeUserLevel' in body && typeof body.excludeUserLevel !== 'boolean') {
        throw new Fault("The parameter 'excludeUserLevel' must be a boolean.");
      }
      const list = [...state.subscriptions.values()].filter((s) => s.ParentAccountId === parent.AccountId);
      return json(list.map(clone));
    },
    GetSubscription: (body) => {
      const sub = visibleSubscription(intParam(body, 'accountId', true));
      checkResellerContext(body);
      return json(clone(sub));
    },
    GetSubscriptionWithAddons: (body) => {
      const sub = visibleSubscription(intParam(body, 'accountId', true));
      checkResellerContext(body);
      return json({ ...clone(sub), Addons: null });
    },
    GetPossibleServicesForParent: (body) => {
      const parent = visibleAccount(intParam(body, 'parentAccountId', true));
      if (parent.AccountType !== 'Company') return json([]);
      return json([...state.services.values()].map((s) => clone(s.info)));
    },
    GetMarketplaces: () => json(clone(state.marketplaces)),
    ListMarketplaceServices: (body) => {
      const id = intParam(body, 'marketplaceId', true);
      if (!state.marketplaces.some((m) => m.Id === id)) throw new Fault(`No marketplace found with Id ${id}.`);
      return json([...state.services.values()].filter((s) => s.marketplaceId === id).map((s) => clone(s.info)));
    },
    GetFieldsForService: (body) => {
      const parent = visibleAccount(intParam(body, 'parentAccountId', true));
      intParam(body, 'secondaryParentId', false);
      const name = body.productName;
      if (typeof name !== 'string' || !name) throw new Fault("The parameter 'productName' is required.");
      const service = state.services.get(name);
      if (!service) throw new Fault(`Service ${name} is not available for account ${parent.AccountId}.`);
      return json({ Fields: clone(service.fields), ParentAccountId: parent.AccountId, ServiceName: name });
    },
    ValidateFields: (body) => {
      const account = body.subscriptionAccount;
      if (!isObject(account)) throw new Fault("The parameter 'subscriptionAccount' is required.");
      try {
        const accountId = intParam(account, 'AccountId', false);
        if (accountId === undefined) {
          prepareCreate(account);
        } else {
          const sub = visibleSubscription(accountId);
          const service = serviceOf(sub);
          if (!isObject(account.Fields)) throw new Fault("The parameter 'Fields' is required.");
          prepareUpdate(sub, service, account.Fields);
        }
        return json({ Result: 'SUCCESS', ErrorDetails: '', FieldName: '' });
      } catch (e) {
        if (!(e instanceof Fault)) throw e;
        const fieldName = /field '([^']+)'/i.exec(e.message)?.[1] ?? '';
        return json({ Result: 'FAILED', ErrorDetails: e.message, FieldName: fieldName });
      }
    },
    CreateSubscription: (body) => {
      const account = body.subscriptionAccount;
      if (!isObject(account)) throw new Fault("The parameter 'subscriptionAccount' is required.");
      const p = prepareCreate(account);
      const id = state.nextAccountId++;
      const vendorRef = `00000000-0000-4000-a000-${String(id).padStart(12, '0')}`;
      const fields = { ...p.values };
      if (!p.service.quantityField) fields.MicrosoftTenantId = vendorRef;
      const sub = buildDandhSubscription({
        accountId: id,
        company: p.company,
        service: p.service,
        quantity: p.service.quantityField ? Number(p.values[p.service.quantityField]) : null,
        start: now(),
        now: now(),
        vendorReferenceId: vendorRef,
        fields,
        ...(p.tenant ? { tenant: p.tenant } : {}),
      });
      sub.Status = 'Pending';
      sub.ProvisioningStatus = 'Pending';
      if (typeof account.ContractId === 'string') sub.ContractId = account.ContractId;
      if (typeof account.PurchaseOrderNumber === 'string') sub.PurchaseOrderNumber = account.PurchaseOrderNumber;
      state.subscriptions.set(id, sub);
      state.provisioning.set(id, { readyAt: now() + provisioningMs, previousQuantity: null });
      record('CreateSubscription', id, body);
      return json(clone(sub));
    },
    UpdateSubscription: (body) => {
      const input = body.subscription;
      if (!isObject(input)) throw new Fault("The parameter 'subscription' is required.");
      const sub = visibleSubscription(intParam(input, 'AccountId', true));
      const service = serviceOf(sub);
      if (input.ServiceName !== sub.ServiceName) {
        throw new Fault(`ServiceName does not match the service of subscription ${sub.AccountId}.`);
      }
      if (!Array.isArray(input.Fields)) throw new Fault("The parameter 'Fields' must be a list of {name, value}.");
      const values: Record<string, unknown> = {};
      for (const f of input.Fields) {
        if (!isObject(f) || typeof f.name !== 'string' || !('value' in f)) {
          throw new Fault("Every entry of 'Fields' needs 'name' and 'value'.");
        }
        values[f.name] = f.value;
      }
      const action = input.AdvancePeriodEndAction;
      if (action !== undefined && action !== 'Renew' && action !== 'Terminate') {
        throw new Fault("AdvancePeriodEndAction must be 'Renew' or 'Terminate'.");
      }
      const p = prepareUpdate(sub, service, values);
      const q = service.quantityField;
      const before = q ? fieldValue(sub, q) : undefined;
      for (const [name, value] of Object.entries(p.values)) {
        const f = sub.Fields.find((x) => x.Name === name);
        if (f) f.Value = value;
      }
      if (action) sub.AdvancePeriodEndAction = action;
      if (typeof input.PurchaseOrderNumber === 'string') sub.PurchaseOrderNumber = input.PurchaseOrderNumber;
      if (q && p.values[q] !== undefined && p.values[q] !== before) {
        const pending = state.provisioning.get(sub.AccountId);
        state.provisioning.set(sub.AccountId, {
          readyAt: now() + provisioningMs,
          previousQuantity: pending ? pending.previousQuantity : (before ?? null),
        });
        sub.ProvisioningStatus = 'Pending';
        sub.ErrorDetails = '';
      }
      record('UpdateSubscription', sub.AccountId, body);
      return empty();
    },
    TerminateAccount: (body) => {
      const id = intParam(body, 'accountId', true);
      if ('terminationReason' in body && typeof body.terminationReason !== 'string') {
        throw new Fault("The parameter 'terminationReason' must be a string.");
      }
      const sub = state.subscriptions.get(id);
      if (!sub) {
        visibleAccount(id);
        throw new Fault(`Account ${id} cannot be terminated through this API user.`);
      }
      visibleSubscription(id);
      if (sub.AccountState === 'Terminated') throw new Fault(`Account ${id} is already terminated.`);
      const service = serviceOf(sub);
      if (!insideCancelWindow(sub, service)) {
        throw new Fault(
          `Subscription ${id} cannot be terminated after the cancellation period. ` +
            `Set AdvancePeriodEndAction to 'Terminate' to end it at the end of the term.`,
        );
      }
      const dependants = [...state.subscriptions.values()].filter(
        (s) => s.DependencyAccountId === id && s.AccountState === 'Active',
      );
      if (dependants.length > 0) throw new Fault(`Account ${id} has active dependent subscriptions.`);
      sub.AccountState = 'Terminated';
      sub.Status = 'Terminated';
      sub.ScheduledTerminationDate = dandhDate(now());
      state.provisioning.delete(id);
      record('TerminateAccount', id, body);
      return empty();
    },
  };

  function login(body: unknown): Response {
    if (!isObject(body) || typeof body.username !== 'string' || typeof body.password !== 'string') {
      throw new Fault("The parameters 'username' and 'password' are required.");
    }
    const known = body.username === credentials.username || mfaUsernames.includes(body.username);
    if (!known || body.password !== credentials.password) {
      throw new Fault('Login failed. Please check your username and password.');
    }
    if (mfaUsernames.includes(body.username)) {
      throw new Fault('Login failed: users with enabled MFA are not supported. Use an API user without MFA.');
    }
    issuedTokens += 1;
    const token = Buffer.from(`fake-ccp-session-${issuedTokens}-${now()}`).toString('base64');
    state.sessions.set(token, { username: body.username, issuedAt: now(), expiresAt: now() + sessionLifetimeMs });
    return json(token);
  }

  function dispatch(req: FakeRequest): Response {
    try {
      if (rateWindow) {
        const taken = rateWindow.take();
        if (!taken.ok) {
          return dandhFault('Too many requests. Please try again later.', {
            status: 429,
            ...(options.rateLimit?.retryAfter ? { headers: { 'Retry-After': String(taken.retryAfterSeconds) } } : {}),
          });
        }
      }
      const name = req.path.replace(/^\/+/, '');
      if (name === 'GetSessionToken') {
        if (req.method !== 'POST') throw new Fault('Method not allowed.', 405);
        return login(req.body);
      }
      const handler = Object.hasOwn(methods, name) ? methods[name] : undefined;
      if (!handler) throw new Fault('Endpoint not found.', 404);
      if (req.method !== 'POST') throw new Fault('Method not allowed.', 405);
      requireSession(req);
      settle();
      const body = req.body === undefined ? {} : req.body;
      if (!isObject(body)) throw new Fault('The request body must be a JSON object.', 400);
      return handler(body, req);
    } catch (e) {
      if (e instanceof Fault) return dandhFault(e.message, { status: e.status, sessionExpired: e.sessionExpired });
      throw e;
    }
  }

  const handlers = fakeHandlers({ baseUrl, faults, log: requests, dispatch });

  return {
    provider: 'dandh',
    baseUrl,
    handlers,
    state,
    faults,
    requests,
    credentials,
    appliedWrites,
    rateWindow,
    get issuedTokens() {
      return issuedTokens;
    },
    expireAllTokens() {
      for (const s of state.sessions.values()) s.expiresAt = Math.min(s.expiresAt, now());
    },
    pendingProvisioning() {
      settle();
      return [...state.provisioning.keys()];
    },
    complete(accountId: number) {
      if (!state.provisioning.has(accountId)) throw new Error(`No pending provisioning for ${accountId}`);
      completeOne(accountId);
    },
    completeAll() {
      const ids = [...state.provisioning.keys()];
      for (const id of ids) completeOne(id);
      return ids.length;
    },
    fail(accountId: number, message = 'Provisioning failed at the vendor.') {
      const p = state.provisioning.get(accountId);
      const sub = state.subscriptions.get(accountId);
      if (!p || !sub) throw new Error(`No pending provisioning for ${accountId}`);
      state.provisioning.delete(accountId);
      const q = state.services.get(sub.ServiceName)?.quantityField;
      if (q && p.previousQuantity !== null) {
        const f = sub.Fields.find((x) => x.Name === q);
        if (f) f.Value = p.previousQuantity;
      }
      sub.ProvisioningStatus = 'Failed';
      sub.ErrorDetails = message;
      if (sub.Status === 'Pending') sub.Status = 'Failed';
    },
    quantityOf(accountId: number) {
      const sub = state.subscriptions.get(accountId);
      const q = sub ? state.services.get(sub.ServiceName)?.quantityField : undefined;
      if (!sub || !q) return null;
      const v = fieldValue(sub, q);
      return v === undefined ? null : Number(v);
    },
  };
}
