import type { CommonClientOptions } from '../core/client-options.js';
import { bearerHeader } from '../core/auth/token-provider.js';
import { type ClientOptionKeys, checkClientOptions, clientOptionKeys } from '../core/options/client-options.js';
import { requireCredential, requireUrl } from '../core/config.js';
import {
  ConfigurationError,
  type MarketplaceError,
  NotFoundError,
  ReadOnlyError,
  ValidationError,
  WriteOutcomeUnknownError,
  isAmbiguousWriteFailure,
} from '../core/errors.js';
import { type AuditEvent, EventHub, type SdkEventName, type SdkListener } from '../core/events.js';
import { HttpTransport } from '../core/http.js';
import { type RateLimit, getLimiter, validateRateLimit } from '../core/limiter.js';
import { type Page, PagedList } from '../core/pagination.js';
import { Redactor, Secret } from '../core/redact.js';
import { scrubErrorsAtBoundary } from '../core/secret-boundary.js';
import { validateRetryOptions } from '../core/retry.js';
import { hashKey } from '../core/sha.js';
import { type WireContext, parseWire } from '../core/wire.js';
import { GRAPH_SCOPE, createGraphTokenProvider } from './auth.js';
import { mapGraphError } from './errors.js';
import {
  CollectionWire,
  type GraphUser,
  type LicenseDetail,
  type SubscribedSku,
  mapGraphUser,
  mapLicenseDetail,
  mapSubscribedSku,
} from './map.js';
import { reportFlagged } from '../core/item-problems.js';

/** An Entra app registration allowed to call Graph in the tenant (application permissions, admin-consented). */
export interface GraphCredentials {
  /** The tenant to work in (the customer's tenant id or `*.onmicrosoft.com` domain). */
  tenantId: string;
  /** The app (client) id. */
  clientId: string;
  clientSecret: string;
}

/** Options of {@link GraphClient}. */
export interface GraphClientOptions extends CommonClientOptions {
  credentials: GraphCredentials;
  /** Graph root including the version (default `https://graph.microsoft.com/v1.0`). */
  baseUrl?: string | undefined;
  /** Entra authority (default `https://login.microsoftonline.com`). */
  authorityUrl?: string | undefined;
  /** Token scope (default `https://graph.microsoft.com/.default`). */
  scope?: string | undefined;
}

/** Every key of {@link GraphClientOptions} and its credentials: the constructor refuses any other (typos included). */
export const GRAPH_CLIENT_OPTION_KEYS: ClientOptionKeys = clientOptionKeys<GraphClientOptions, GraphCredentials>(
  'graph',
  { credentials: true, authorityUrl: true, scope: true },
  { tenantId: true, clientId: true, clientSecret: true },
);

/** Graph defaults. */
export const GRAPH_DEFAULTS = {
  baseUrl: 'https://graph.microsoft.com/v1.0',
  authorityUrl: 'https://login.microsoftonline.com',
  scope: GRAPH_SCOPE,
  /** 20 requests per second per app and tenant: well inside Graph's identity limits and its write quota. */
  rateLimit: { requests: 200, perMs: 10_000, maxConcurrent: 10 } satisfies RateLimit,
  timeoutMs: 30_000,
} as const;

/** A license to add: a SKU id, or a SKU id with service plans to turn off. */
export type LicenseToAdd = string | { skuId: string; disabledPlans?: readonly string[] | undefined };

/** What `assignLicense` changes: SKUs to add and SKU ids to remove (both may be empty, never both). */
export interface LicenseChange {
  add?: readonly LicenseToAdd[] | undefined;
  remove?: readonly string[] | undefined;
}

/** Options of a Graph write. */
export interface GraphWriteOptions {
  /** Who asked, for the audit event. */
  actor?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Options of {@link GraphClient.listUsers}. */
export interface ListUsersOptions {
  /** Properties to return (`$select`), e.g. `['id', 'userPrincipalName', 'assignedLicenses']`. */
  select?: readonly string[] | undefined;
  /** Page size (`$top`, 1..999; Graph's default is 100). */
  pageSize?: number | undefined;
  signal?: AbortSignal | undefined;
}

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkGuid(value: unknown, path: string): string {
  if (typeof value !== 'string' || !GUID_RE.test(value.trim())) {
    throw new ValidationError(`Invalid ${path}: must be a GUID (got ${JSON.stringify(value)})`, [
      { path, message: 'must be a GUID' },
    ]);
  }
  return value.trim().toLowerCase();
}

function checkUserId(userId: unknown): string {
  if (typeof userId !== 'string' || userId.trim() === '' || /[/?#\s]/.test(userId.trim())) {
    throw new ValidationError('Invalid userId: give the user id (GUID) or userPrincipalName', [
      { path: 'userId', message: 'must be a user id or userPrincipalName' },
    ]);
  }
  return userId.trim();
}

/**
 * Microsoft Graph license calls for one tenant: license pools (`subscribedSkus`), users, license details and
 * `assignLicense`. Built on the core transport (rate limit, retries with Retry-After, typed errors, token cache).
 */
export class GraphClient {
  /** Always `graph` (for events and errors). */
  readonly provider = 'graph' as const;
  /** The tenant this client works in. */
  readonly tenantId: string;
  readonly #events: EventHub;
  readonly #redactor = new Redactor();
  readonly #http: HttpTransport;
  readonly #readOnly: boolean;
  readonly #actor: string | undefined;

  constructor(options: GraphClientOptions) {
    if (!options || typeof options !== 'object') {
      throw new ConfigurationError('graph: options are required', { provider: 'graph', operation: 'configure' });
    }
    checkClientOptions(options, GRAPH_CLIENT_OPTION_KEYS);
    validateRetryOptions(options.retry);
    validateRateLimit(options.rateLimit);
    const where = 'from Entra ID, App registrations (the app needs Graph application permissions with admin consent)';
    const tenantId = requireCredential('graph', options.credentials, 'tenantId', where);
    const clientId = requireCredential('graph', options.credentials, 'clientId', where);
    const clientSecret = new Secret(requireCredential('graph', options.credentials, 'clientSecret', where));
    this.#redactor.add(clientSecret);
    this.#redactor.add(clientId);
    // Every method scrubs what it throws (core/secret-boundary.ts).
    scrubErrorsAtBoundary(this, GraphClient.prototype);
    this.tenantId = tenantId;
    this.#events = new EventHub(options.logger);
    this.#readOnly = options.readOnly === true;
    this.#actor = options.actor;
    const baseUrl = requireUrl('graph', 'baseUrl', options.baseUrl ?? GRAPH_DEFAULTS.baseUrl);
    const authorityUrl = requireUrl('graph', 'authorityUrl', options.authorityUrl ?? GRAPH_DEFAULTS.authorityUrl);
    const credentialKey = hashKey('graph', tenantId, clientId, clientSecret.reveal());
    const limiter = getLimiter(`graph:${credentialKey}`, options.rateLimit ?? GRAPH_DEFAULTS.rateLimit);
    const base = {
      provider: 'graph',
      events: this.#events,
      redactor: this.#redactor,
      limiter,
      retry: options.retry ?? {},
      timeoutMs: options.timeoutMs ?? GRAPH_DEFAULTS.timeoutMs,
      mapError: (r: Parameters<typeof mapGraphError>[0]) => mapGraphError(r, (s) => this.#redactor.redact(s)),
      vendorRequestIdHeaders: ['request-id', 'client-request-id'],
      fetch: options.fetch,
      signal: options.signal,
      limits: options.limits,
    };
    const tokens = createGraphTokenProvider({
      transport: new HttpTransport({ ...base, baseUrl: authorityUrl }),
      authorityUrl,
      tenantId,
      clientId,
      clientSecret,
      scope: options.scope,
      events: this.#events,
      redactor: this.#redactor,
      cache: options.tokenCache,
    });
    this.#http = new HttpTransport({
      ...base,
      baseUrl,
      requestIdHeader: 'client-request-id',
      auth: {
        headers: async (signal) => ({ authorization: `Bearer ${(await tokens.getToken(signal)).value}` }),
        peek: () => bearerHeader(tokens.peekToken()),
        refused: (headers) => {
          tokens.invalidate(headers.authorization?.slice('Bearer '.length) ?? '');
          return true;
        },
      },
    });
  }

  /** Subscribes to events (`request`, `response`, `retry`, `token`, `audit`, `warning`); returns the unsubscribe function. */
  on<K extends SdkEventName>(event: K, listener: SdkListener<K>): () => void {
    return this.#events.on(event, listener);
  }

  #ctx(operation: string, requestId?: string): WireContext {
    return { provider: 'graph', operation, requestId };
  }

  /** A Graph collection as a PagedList that follows `@odata.nextLink` (the full URL, never rebuilt). */
  #collection<T>(
    operation: string,
    path: string,
    query: Record<string, string | number | undefined>,
    map: (raw: unknown, ctx: WireContext) => T,
    signal?: AbortSignal,
  ): PagedList<T> {
    return new PagedList<T>(async (cursor, sig): Promise<Page<T>> => {
      const res = await this.#http.send({
        operation,
        method: 'GET',
        path: cursor ?? path,
        query: cursor ? undefined : query,
        signal: sig,
      });
      const ctx = this.#ctx(operation, res.vendorRequestId ?? res.requestId);
      const page = parseWire(CollectionWire, res.data, 'collection', ctx);
      const items = page.value.map((v) => map(v, ctx));
      reportFlagged(this.#events, ctx, items, operation === 'listUsers' ? 'user' : 'license');
      return { items, nextCursor: page['@odata.nextLink'] ?? undefined };
    }, signal).withLimits(this.#http.limits);
  }

  /** The tenant's license pools, each with `freeSeats = enabled - consumed`. */
  async listSubscribedSkus(options: { signal?: AbortSignal | undefined } = {}): Promise<SubscribedSku[]> {
    return this.#collection('listSubscribedSkus', '/subscribedSkus', {}, mapSubscribedSku, options.signal).toArray({
      limit: Number.POSITIVE_INFINITY,
    });
  }

  /** One license pool by `skuId` (GUID) or `skuPartNumber` (e.g. `SPB`); {@link NotFoundError} when the tenant has none. */
  async getSubscribedSku(
    skuIdOrPartNumber: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<SubscribedSku> {
    if (typeof skuIdOrPartNumber !== 'string' || skuIdOrPartNumber.trim() === '') {
      throw new ValidationError('Invalid sku: give a skuId or skuPartNumber', [
        { path: 'sku', message: 'must not be empty' },
      ]);
    }
    const key = skuIdOrPartNumber.trim().toLowerCase();
    const skus = await this.listSubscribedSkus(options);
    const sku = skus.find((s) => s.skuId === key) ?? skus.find((s) => s.skuPartNumber.toLowerCase() === key);
    if (!sku) {
      throw new NotFoundError(`The tenant has no license ${skuIdOrPartNumber}`, {
        provider: 'graph',
        operation: 'getSubscribedSku',
        hint: `Licenses in the tenant: ${skus.map((s) => s.skuPartNumber).join(', ') || 'none'}. Buy the license first.`,
      });
    }
    return sku;
  }

  /**
   * The licenses assigned to a user, read with `GET /users/{id}?$select=id,assignedLicenses`: this works with
   * application permissions (User.Read.All), which `licenseDetails` does not support. Sku ids are lower case.
   */
  async getAssignedLicenses(
    userId: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<{ skuId: string; disabledPlans: string[] }[]> {
    const user = await this.getUser(userId, { select: ['id', 'assignedLicenses'], signal: options.signal });
    return user.assignedLicenses ?? [];
  }

  /**
   * The licenses assigned to a user with their service plans (`GET /users/{id}/licenseDetails`). Microsoft
   * documents this call as not supported with application permissions: with an app-only token use
   * {@link GraphClient.getAssignedLicenses}.
   */
  async listLicenseDetails(
    userId: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<LicenseDetail[]> {
    const id = checkUserId(userId);
    return this.#collection(
      'listLicenseDetails',
      `/users/${encodeURIComponent(id)}/licenseDetails`,
      {},
      mapLicenseDetail,
      options.signal,
    ).toArray({ limit: Number.POSITIVE_INFINITY });
  }

  /** One user; `select` defaults to the fields of {@link GraphUser} (usage location and assigned licenses included). */
  async getUser(
    userId: string,
    options: { select?: readonly string[]; signal?: AbortSignal | undefined } = {},
  ): Promise<GraphUser> {
    const id = checkUserId(userId);
    const select = options.select ?? [
      'id',
      'displayName',
      'userPrincipalName',
      'mail',
      'accountEnabled',
      'usageLocation',
      'assignedLicenses',
    ];
    const res = await this.#http.send({
      operation: 'getUser',
      method: 'GET',
      path: `/users/${encodeURIComponent(id)}`,
      query: { $select: select.join(',') },
      signal: options.signal,
    });
    const ctx = this.#ctx('getUser', res.vendorRequestId ?? res.requestId);
    const user = mapGraphUser(res.data, ctx);
    reportFlagged(this.#events, ctx, [user], 'user');
    return user;
  }

  /** Every user of the tenant, lazily, page by page (`@odata.nextLink`). */
  listUsers(options: ListUsersOptions = {}): PagedList<GraphUser> {
    const top = options.pageSize;
    if (top !== undefined && !(Number.isInteger(top) && top >= 1 && top <= 999)) {
      throw new ValidationError('Invalid pageSize: must be a whole number from 1 to 999', [
        { path: 'pageSize', message: 'must be 1..999' },
      ]);
    }
    return this.#collection(
      'listUsers',
      '/users',
      { $select: options.select?.join(','), $top: top },
      mapGraphUser,
      options.signal,
    );
  }

  /**
   * Adds and/or removes licenses of a user (`POST /users/{id}/assignLicense`; both arrays are always sent).
   * A write: never retried blindly. After an ambiguous failure (timeout, reset, 5xx) the user's licenses are
   * re-read: the change is there -> success; nothing changed -> sent once more; otherwise
   * {@link WriteOutcomeUnknownError}. Typed errors: `UsageLocationMissingError`, `NoFreeSeatsError`.
   */
  async assignLicense(userId: string, change: LicenseChange, options: GraphWriteOptions = {}): Promise<GraphUser> {
    const id = checkUserId(userId);
    if (!change || typeof change !== 'object') {
      throw new ValidationError('Invalid license change: give { add, remove }', [
        { path: 'change', message: 'must be an object' },
      ]);
    }
    const addLicenses = (change.add ?? []).map((a, i) => {
      const skuId = checkGuid(typeof a === 'string' ? a : a?.skuId, `add[${i}].skuId`);
      const plans = typeof a === 'string' ? [] : (a.disabledPlans ?? []);
      return { skuId, disabledPlans: plans.map((p, j) => checkGuid(p, `add[${i}].disabledPlans[${j}]`)) };
    });
    const removeLicenses = (change.remove ?? []).map((r, i) => checkGuid(r, `remove[${i}]`));
    if (addLicenses.length === 0 && removeLicenses.length === 0) {
      throw new ValidationError('Nothing to change: give at least one license to add or remove', [
        { path: 'change', message: 'add and remove are both empty' },
      ]);
    }
    if (this.#readOnly) {
      throw new ReadOnlyError('assignLicense refused: this client is read-only', {
        provider: 'graph',
        operation: 'assignLicense',
        hint: 'Create the client without readOnly: true to make changes.',
      });
    }
    const audit: AuditEvent = {
      provider: 'graph',
      operation: 'assignLicense',
      actor: options.actor ?? this.#actor,
      customerId: this.tenantId,
      subscriptionId: id,
      dryRun: false,
      outcome: 'failed',
      requested: { add: addLicenses.map((a) => a.skuId), remove: removeLicenses },
      at: new Date().toISOString(),
    };
    const send = async () => {
      const res = await this.#http.send({
        operation: 'assignLicense',
        method: 'POST',
        path: `/users/${encodeURIComponent(id)}/assignLicense`,
        json: { addLicenses, removeLicenses },
        signal: options.signal,
      });
      return {
        user: mapGraphUser(res.data, this.#ctx('assignLicense', res.vendorRequestId ?? res.requestId)),
        requestId: res.vendorRequestId ?? res.requestId,
      };
    };
    const emit = (e: Partial<AuditEvent>) =>
      this.#events.emit('audit', { ...audit, ...e, at: new Date().toISOString() });
    try {
      const { user, requestId } = await send();
      emit({ outcome: 'applied', requestId });
      return user;
    } catch (error) {
      if (!isAmbiguousWriteFailure(error)) {
        emit({
          outcome: 'failed',
          error: { kind: (error as MarketplaceError).kind ?? 'unexpected', message: String((error as Error).message) },
        });
        throw error;
      }
      return this.#settleAssign(
        id,
        addLicenses.map((a) => a.skuId),
        removeLicenses,
        error as MarketplaceError,
        send,
        emit,
        options.signal,
      );
    }
  }

  async #settleAssign(
    id: string,
    add: string[],
    remove: string[],
    failure: MarketplaceError,
    send: () => Promise<{ user: GraphUser; requestId: string }>,
    emit: (e: Partial<AuditEvent>) => void,
    signal: AbortSignal | undefined,
  ): Promise<GraphUser> {
    const unknown = (observed: unknown, cause: unknown) =>
      new WriteOutcomeUnknownError(`assignLicense: the change may or may not have been applied (${failure.message})`, {
        provider: 'graph',
        operation: 'assignLicense',
        before: null,
        expected: { add, remove },
        observed,
        requestId: failure.requestId,
        hint: "Check the user's licenses (getAssignedLicenses) before trying again.",
        cause,
      });
    let held: Set<string>;
    try {
      // assignedLicenses, not licenseDetails: the recovery read must work with an app-only token.
      held = new Set((await this.getAssignedLicenses(id, { signal })).map((d) => d.skuId));
    } catch (readError) {
      const e = unknown(undefined, readError);
      emit({ outcome: 'unknown', error: { kind: e.kind, message: e.message } });
      throw e;
    }
    const done = add.every((s) => held.has(s)) && remove.every((s) => !held.has(s));
    if (done) {
      emit({ outcome: 'applied', after: [...held] });
      return this.getUser(id, { signal });
    }
    const untouched = add.every((s) => !held.has(s)) && remove.every((s) => held.has(s));
    if (untouched) {
      try {
        const { user, requestId } = await send();
        emit({ outcome: 'applied', requestId });
        return user;
      } catch (error) {
        const e = isAmbiguousWriteFailure(error) ? unknown([...held], error) : error;
        emit({ outcome: e instanceof WriteOutcomeUnknownError ? 'unknown' : 'failed' });
        throw e;
      }
    }
    const e = unknown([...held], failure);
    emit({ outcome: 'unknown', error: { kind: e.kind, message: e.message } });
    throw e;
  }

  /** Keeps secrets out of `console.log(client)`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `GraphClient { tenantId: '${this.tenantId}', readOnly: ${this.#readOnly} }`;
  }

  /** A JSON view without secrets. */
  toJSON(): Record<string, unknown> {
    return { provider: 'graph', tenantId: this.tenantId, readOnly: this.#readOnly };
  }
}

/** Creates a Graph client. Throws `ConfigurationError`/`ValidationError` for bad options, before any request. */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  return new GraphClient(options);
}
