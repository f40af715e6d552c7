import { knownKeys, rejectUnknownKeys } from '../core/options/strict-keys.js';
import { McpServer, type RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  type CallToolRequest,
  CallToolRequestSchema,
  type CallToolResult,
  type ListToolsRequest,
  type ListToolsResult,
} from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import {
  BusinessRuleError,
  ConfigurationError,
  ConflictError,
  MarketplaceError,
  ReadOnlyError,
  ValidationError,
} from '../core/errors.js';
import type { MarketplaceClient } from '../core/marketplace-client.js';
import { IdSchema, SeatCountSchema, SeatDeltaSchema, EffectiveDateSchema, validateInput } from '../core/validate.js';
import { type ProviderId, ProviderIdSchema } from '../model/common.js';
import type { Subscription } from '../model/subscription.js';
import { type Snapshot, createSnapshot, diffSnapshots } from '../workflows/drift.js';
import { listLicenseSubscriptions } from '../workflows/license-subscriptions.js';
import {
  type MarketplaceId,
  formatMarketplaceId,
  formatMarketplaceIds,
  parseMarketplaceId,
  parseMarketplaceIds,
} from '../workflows/marketplace-ids.js';
import { type CompanyRef, Marketplaces } from '../workflows/registry.js';
import { NAMED_PREFERENCES, policyFor, selectSubscription } from '../workflows/select-subscription.js';
import { type McpToolError, describeToolError, toolErrorResult } from './errors.js';
import { type McpGraphOption, reconciliationTools } from './tools/reconciliation.js';
import { type ToolDef, defineTool, readOnlyTool, writeTool } from './tools/tool-def.js';
import { scrubText, scrubValue } from '../core/redact.js';
import { SDK_VERSION } from '../version.js';

/** Default of {@link MarketplaceMcpServerOptions.maxSeatsPerSession}. */
export const DEFAULT_MAX_SEATS_PER_SESSION = 10;

/** Default actor recorded in audit lines and the SDK's audit events. */
export const DEFAULT_MCP_ACTOR = 'msp-marketplace-mcp';

/** One audit line: one per write tool call, whatever its outcome. Holds no secret. */
export interface McpAuditEntry {
  at: string;
  /** Who: the configured actor. */
  actor: string;
  /** Who, as the MCP client announced itself (`name/version`), when it did. */
  client: string | null;
  /** What: the tool (`add_seats`, `remove_seats`, `cancel_subscription`). */
  tool: string;
  provider: ProviderId | null;
  customerId: string | null;
  subscriptionId: string | null;
  /** Seats asked to add or remove (cancel: the seats the agent saw). */
  count: number | null;
  /** The seat count the agent saw. */
  ifCurrent: number | null;
  dryRun: boolean;
  /** `applied`, `unchanged`, `pending`, `dry-run`, `cancelled`, `scheduled`, `refused` (by a rail) or `failed`. */
  outcome: string;
  /** Seats before (cancel: seats before). */
  before: number | null;
  /** Seats after (cancel: the status after). */
  after: number | string | null;
  requestId: string | null;
  /** Why it was refused or failed. */
  error?: { kind: string; message: string } | undefined;
}

/** Options of {@link createMarketplaceMcpServer}. */
export interface MarketplaceMcpServerOptions {
  /** The configured marketplaces: a `Marketplaces`, or one client per provider. */
  marketplaces: Marketplaces | readonly MarketplaceClient[];
  /** Make real changes. Default false: every write is a dry run (the vendor validates where it can). */
  enableWrites?: boolean | undefined;
  /** Refuse every write tool, dry runs included, before any vendor call. */
  readOnly?: boolean | undefined;
  /**
   * Most seats this server may change in total (added + removed + seats of cancelled subscriptions) over its
   * life. A write that would go beyond is refused before any vendor call. Default
   * {@link DEFAULT_MAX_SEATS_PER_SESSION}.
   */
  maxSeatsPerSession?: number | undefined;
  /** Recorded as the actor of every write (audit lines and SDK audit events). Default `msp-marketplace-mcp`. */
  actor?: string | undefined;
  /** Receives one entry per write tool call. Default: one `audit {json}` line on stderr. */
  audit?: ((entry: McpAuditEntry) => void) | undefined;
  /** Name announced to clients (default `msp-marketplace`). */
  name?: string | undefined;
  /** Version announced to clients. */
  version?: string | undefined;
  /**
   * Microsoft Graph for the reconciliation and license tools: a client of one tenant, or a factory by tenant id
   * (the company's MICROSOFT_PARTNER_CENTER id). Without it, reconcile_licenses reports assigned seats as unknown
   * and the Graph write tools answer with a configuration error.
   */
  graph?: McpGraphOption | undefined;
}

/** What the session has seen and done: the rails and seat drift live here. */
interface Session {
  /** Subscriptions returned by a listing in this session (key → seats then). */
  listed: Map<string, number>;
  /** Seats changed by applied writes. */
  seatsChanged: number;
  /** Seats of writes in flight (counted against the cap until they settle). */
  reserved: number;
  /** Seats changed through this server per subscription key (signed). */
  changedBySession: Map<string, number>;
  /** The first snapshot of each company (key: its marketplace ids). */
  baselines: Map<string, Snapshot>;
}

// ---- input schemas (built from the SDK's own validation schemas) ------------------------------------------------

const CompanyInput = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(4000)
  .describe(
    'The company as marketplace ids separated by ";" (the marketplaceId values of list_companies), e.g. "PAX8:7b1f2d34-5c6e-4f80-9a1b-2c3d4e5f6a7b;SHERWEB:0c6a1f3e-..."',
  );
// Not an id: license names may hold "/", "#" or "%" ("Microsoft 365 E3 / E5 add-on"); never put in a URL path.
const LicenseInput = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200)
  .describe(
    'The license: SKU, vendor product id or product name (case and punctuation ignored), e.g. "Microsoft 365 Business Premium"',
  );
const CustomerInput = IdSchema.describe(
  'The marketplace id of the customer owning the subscription: the `customer` field of list_license_subscriptions, e.g. "PAX8:7b1f2d34-..."',
);
const SubscriptionIdInput = IdSchema.describe('The subscriptionId exactly as list_license_subscriptions returned it');
const IfCurrentInput = SeatCountSchema.describe(
  'The seat count you saw for this subscription (its `seats` in the listing). If it changed since, nothing is changed and a conflict error is returned: list again and decide again.',
);
const DryRunInput = z
  .boolean()
  .optional()
  .describe('Only check the change (default false; always true when the server runs without --enable-writes)');

const PREFERENCES = NAMED_PREFERENCES;

const PreferenceName = z.enum(Object.keys(PREFERENCES) as [keyof typeof PREFERENCES, ...(keyof typeof PREFERENCES)[]]);

// ---- helpers -----------------------------------------------------------------------------------------------------

function subscriptionKey(provider: string, customerId: string, subscriptionId: string): string {
  return `${provider}\u0000${customerId.toLowerCase()}\u0000${subscriptionId}`;
}

function companyRef(company: string): CompanyRef & { marketplaceIds: MarketplaceId[] } {
  const ids = parseMarketplaceIds(company);
  if (ids.length === 0) {
    throw new ValidationError('Invalid company: no marketplace id given', [
      { path: 'company', message: 'must list at least one marketplace id such as PAX8:<uuid>' },
    ]);
  }
  return { marketplaceIds: ids };
}

const day = (d: string | null): string | null => (d ? d.slice(0, 10) : null);

/** A subscription as the tools return it: ids, terms, seats, renewal and what can change now. */
function subscriptionRow(s: Subscription) {
  return {
    customer: formatMarketplaceId({ provider: s.provider, customerId: s.customerId }),
    provider: s.provider,
    customerId: s.customerId,
    subscriptionId: s.id,
    name: s.name,
    sku: s.sku,
    status: s.status,
    billingTerm: s.billingTerm,
    commitmentTerm: s.commitment?.term ?? null,
    commitmentEnds: day(s.commitment?.endDate ?? null),
    seats: s.quantity,
    renewalDate: day(s.renewalDate),
    canChangeNow: {
      addSeats: s.constraints.canIncrease,
      removeSeats: s.constraints.canDecrease,
      removeSeatsUntil: s.constraints.decreaseAllowedUntil,
      cancel: s.constraints.canCancel,
    },
    notes: s.constraints.notes,
  };
}

const yesNo = (v: boolean | null, what: string): string =>
  v === null ? `${what}: unknown` : `${what}: ${v ? 'yes' : 'no'}`;

function subscriptionLine(s: Subscription): string {
  const c = s.constraints;
  const parts = [
    s.billingTerm,
    s.commitment ? `commitment ${s.commitment.term}` : 'no commitment',
    `${s.quantity} seats`,
    s.status,
    s.renewalDate ? `renews ${day(s.renewalDate)}` : 'renewal unknown',
    yesNo(c.canIncrease, 'add now'),
    yesNo(c.canDecrease, 'remove now') + (c.decreaseAllowedUntil ? ` (until ${c.decreaseAllowedUntil})` : ''),
  ];
  return `- ${s.name} | customer ${formatMarketplaceId({ provider: s.provider, customerId: s.customerId })} | subscriptionId ${s.id} | ${parts.join(', ')}`;
}

type SdkServer = McpServer['server'];
type AnyRequestHandler = Parameters<SdkServer['setRequestHandler']>[1];
type RequestExtra = Parameters<AnyRequestHandler>[1];
type SdkHandler<R> = (request: R, extra: RequestExtra) => ReturnType<AnyRequestHandler>;

/** The method a request schema is for (`tools/call`), read from its `method` literal. */
function methodOf(schema: unknown): unknown {
  return (schema as { shape?: { method?: { value?: unknown } } }).shape?.method?.value;
}

/**
 * Runs `register` (which registers tools on `server`) and returns the MCP SDK's own `tools/list` and `tools/call`
 * handlers, which McpServer installs through the public `server.server.setRequestHandler` when its first tool is
 * registered. They stay installed; the caller may put a handler of its own in front and delegate to them. A
 * handler not seen (another SDK version) is missing from the result, and the SDK's handler simply stays in place.
 */
function captureToolHandlers(
  server: McpServer,
  register: () => void,
): { callTool?: SdkHandler<CallToolRequest>; listTools?: SdkHandler<ListToolsRequest> } {
  const inner = server.server;
  const original = inner.setRequestHandler;
  const captured: { callTool?: SdkHandler<CallToolRequest>; listTools?: SdkHandler<ListToolsRequest> } = {};
  inner.setRequestHandler = function (this: SdkServer, schema, handler) {
    const method = methodOf(schema);
    if (method === 'tools/call') captured.callTool = handler as SdkHandler<CallToolRequest>;
    if (method === 'tools/list') captured.listTools = handler as SdkHandler<ListToolsRequest>;
    return original.call(this, schema, handler);
  } as SdkServer['setRequestHandler'];
  try {
    register();
  } finally {
    // Back to the class's own method (the wrapper was an own property of this instance only).
    delete (inner as { setRequestHandler?: unknown }).setRequestHandler;
    if (inner.setRequestHandler !== original) inner.setRequestHandler = original;
  }
  return captured;
}

function defaultAuditSink(entry: McpAuditEntry): void {
  process.stderr.write(`audit ${JSON.stringify(entry)}\n`);
}

/** Known keys of {@link MarketplaceMcpServerOptions} (`enableWrite` is refused, not read as "writes off"). */
const MCP_SERVER_OPTION_KEYS = knownKeys<MarketplaceMcpServerOptions>('MCP server options', {
  marketplaces: true,
  enableWrites: true,
  readOnly: true,
  maxSeatsPerSession: true,
  actor: true,
  audit: true,
  name: true,
  version: true,
  graph: true,
});

/**
 * Creates the MCP server of msp-marketplace-sdk: license tools for agents over the configured marketplaces, safe by
 * default. Connect it to a transport yourself (`await server.connect(new StdioServerTransport())`), or run
 * `msp-marketplace mcp`. See docs/agents.md.
 *
 * Tools: `list_companies`, `list_license_subscriptions`, `select_subscription`, `add_seats`, `remove_seats`,
 * `cancel_subscription`, `verify_connection`, `seat_drift`. Rails: writes are dry runs unless `enableWrites`;
 * every write names a subscription returned by a listing in this session and the seat count the agent saw
 * (`ifCurrent`, checked by the SDK); a cap on seats changed per server; `readOnly`; one audit entry per write.
 *
 * Returns the MCP SDK's `McpServer`, so you can add tools of your own on it, before or after connecting it
 * (`server.registerTool(...)`, `server.tool(...)`): they are listed by `tools/list` and dispatched by `tools/call`
 * like ours, with the MCP SDK's own input validation and plain-text errors (return `toolErrorResult(error)` from a
 * callback for a typed error like ours: {@link toolErrorResult}), and connected clients are told the list changed.
 * Our tools' names are taken (registering one throws), and the rails above apply to our tools only: a tool you add
 * does what its callback does. Example (docs/agents.md):
 *
 * ```ts
 * const server = createMarketplaceMcpServer({ marketplaces });
 * server.registerTool(
 *   'ticket_note',
 *   { description: 'Adds a note to a PSA ticket', inputSchema: { ticket: z.string(), note: z.string() } },
 *   async ({ ticket, note }) => ({ content: [{ type: 'text', text: await psa.addNote(ticket, note) }] }),
 * );
 * await server.connect(new StdioServerTransport());
 * ```
 *
 * Our tools are registered with `registerTool` (so `tools/list` shows their JSON Schemas and the SDK dispatches
 * them); one step in front of the SDK's `tools/call` handler makes bad input to them a `validation` error with
 * every issue, and an unknown tool a `validation` error naming the tools, like every other error a tool returns
 * (`isError`, kind, message and hint; never a stack).
 */
export function createMarketplaceMcpServer(options: MarketplaceMcpServerOptions): McpServer {
  rejectUnknownKeys(options, MCP_SERVER_OPTION_KEYS, {
    error: 'configuration',
    path: 'options',
    operation: 'createMarketplaceMcpServer',
  });
  const marketplaces =
    options.marketplaces instanceof Marketplaces ? options.marketplaces : new Marketplaces(options.marketplaces);
  const enableWrites = options.enableWrites === true;
  const readOnly = options.readOnly === true;
  const maxSeats = options.maxSeatsPerSession ?? DEFAULT_MAX_SEATS_PER_SESSION;
  if (!Number.isInteger(maxSeats) || maxSeats < 0) {
    throw new ConfigurationError(`maxSeatsPerSession must be a whole number of seats, not ${String(maxSeats)}`, {
      operation: 'createMarketplaceMcpServer',
    });
  }
  const actor = options.actor ?? DEFAULT_MCP_ACTOR;
  const auditSink = options.audit ?? defaultAuditSink;
  const session: Session = {
    listed: new Map(),
    seatsChanged: 0,
    reserved: 0,
    changedBySession: new Map(),
    baselines: new Map(),
  };
  const mode = readOnly ? 'read-only' : enableWrites ? 'writes enabled' : 'dry-run (writes disabled)';

  const server = new McpServer(
    { name: options.name ?? 'msp-marketplace', version: options.version ?? SDK_VERSION },
    {
      instructions: [
        `License operations across the configured marketplaces (${marketplaces.providers.join(', ') || 'none'}). Mode: ${mode}; at most ${maxSeats} seats may be changed in this session.`,
        'To change seats: list_companies -> list_license_subscriptions (company, license) -> pick the subscription (select_subscription applies a policy) -> add_seats/remove_seats with its customer, subscriptionId and the seats you saw as ifCurrent.',
        'Errors carry a kind and a hint: follow the hint. A conflict means the seats changed since you listed: list again.',
      ].join('\n'),
    },
  );

  const clientName = (): string | null => {
    const v = server.server.getClientVersion();
    return v ? `${v.name}/${v.version}` : null;
  };

  const remember = (subs: readonly Subscription[]) => {
    for (const s of subs) session.listed.set(subscriptionKey(s.provider, s.customerId, s.id), s.quantity);
  };

  const sessionInfo = () => ({
    writesEnabled: enableWrites && !readOnly,
    readOnly,
    seatsChanged: session.seatsChanged,
    maxSeatsPerSession: maxSeats,
    remaining: Math.max(0, maxSeats - session.seatsChanged - session.reserved),
  });

  /** The client of a customer's marketplace, and the customer id there. */
  const target = (customer: string): { client: MarketplaceClient; provider: ProviderId; customerId: string } => {
    const id = parseMarketplaceId(customer);
    const client = marketplaces.get(id.provider);
    if (!client) {
      throw new ConfigurationError(`${id.provider} is not configured on this server`, {
        provider: id.provider,
        operation: 'mcp',
        hint: `Configured: ${marketplaces.providers.join(', ') || 'none'}. Use a customer of one of them.`,
      });
    }
    return { client, provider: id.provider, customerId: id.customerId };
  };

  /** The rails every write passes before any vendor call. Returns the seats reserved against the cap. */
  const checkWrite = (tool: string, t: { provider: ProviderId; customerId: string }, subId: string, seats: number) => {
    if (readOnly) {
      throw new ReadOnlyError(`${tool} refused: this MCP server runs in read-only mode; nothing was sent`, {
        operation: tool,
        hint: 'Ask a person to make the change, or to restart the server without --read-only.',
      });
    }
    if (!session.listed.has(subscriptionKey(t.provider, t.customerId, subId))) {
      throw new ValidationError(
        `${tool} refused: subscription ${subId} of ${formatMarketplaceId(t)} was not returned by a listing in this session; nothing was sent`,
        [{ path: 'subscriptionId', message: 'must come from list_license_subscriptions (or select_subscription)' }],
        {
          operation: tool,
          hint: 'Call list_license_subscriptions for the company and license first, then use a subscriptionId, its customer and its seats from the result.',
        },
      );
    }
    const used = session.seatsChanged + session.reserved;
    if (used + seats > maxSeats) {
      throw new BusinessRuleError(
        `${tool} refused: it would change ${seats} seat(s), but this session may change only ${maxSeats - used} more (cap ${maxSeats}, ${session.seatsChanged} changed so far); nothing was sent`,
        {
          operation: tool,
          code: 'SESSION_SEAT_CAP',
          hint: 'Ask a person to make this change, or to restart the server with a higher --max-seats-per-session.',
        },
      );
    }
  };

  const audit = (entry: Omit<McpAuditEntry, 'at' | 'actor' | 'client'>) => {
    try {
      auditSink({ at: new Date().toISOString(), actor, client: clientName(), ...entry });
    } catch {
      // An audit sink that throws must not turn a done write into an error.
    }
  };

  /** Runs a write with the rails, the cap reservation and the audit entry. */
  const write = async <R>(
    tool: string,
    args: { customer: string; subscriptionId: string; ifCurrent: number; dryRun?: boolean | undefined },
    count: number,
    run: (t: ReturnType<typeof target>, dryRun: boolean) => Promise<R>,
    describe: (r: R) => Pick<McpAuditEntry, 'outcome' | 'before' | 'after' | 'requestId'> & { changed: number },
  ): Promise<R> => {
    const dryRun = !enableWrites || args.dryRun === true;
    let t: ReturnType<typeof target> | undefined;
    const base = { tool, subscriptionId: args.subscriptionId, count, ifCurrent: args.ifCurrent, dryRun };
    let reserved = 0;
    try {
      t = target(args.customer);
      checkWrite(tool, t, args.subscriptionId, count);
      if (!dryRun) {
        reserved = count;
        session.reserved += reserved;
      }
      const result = await run(t, dryRun);
      const d = describe(result);
      session.reserved -= reserved;
      reserved = 0;
      if (!dryRun && d.changed !== 0) {
        session.seatsChanged += Math.abs(d.changed);
        const key = subscriptionKey(t.provider, t.customerId, args.subscriptionId);
        session.changedBySession.set(key, (session.changedBySession.get(key) ?? 0) + d.changed);
      }
      const { changed: _changed, ...rest } = d;
      audit({ ...base, provider: t.provider, customerId: t.customerId, ...rest });
      return result;
    } catch (error) {
      session.reserved -= reserved;
      const e = describeToolError(error);
      const refused = error instanceof ReadOnlyError || (error as { code?: string }).code === 'SESSION_SEAT_CAP';
      audit({
        ...base,
        provider: t?.provider ?? null,
        customerId: t?.customerId ?? null,
        outcome: refused || e.kind === 'validation' || e.kind === 'conflict' ? 'refused' : 'failed',
        before: typeof e.actual === 'number' ? e.actual : null,
        after: null,
        requestId: e.requestId ?? null,
        error: { kind: e.kind, message: e.message },
      });
      throw error;
    }
  };

  const dryRunNote = (dryRun: boolean): string | undefined =>
    dryRun
      ? enableWrites
        ? 'Dry run as asked: nothing was changed.'
        : 'Dry run: this server runs without --enable-writes, so nothing was changed. A person must restart it with --enable-writes to make changes.'
      : undefined;

  // ---- tools -----------------------------------------------------------------------------------------------------

  const seatsTool = (mode: 'add' | 'remove'): ToolDef => {
    const name = mode === 'add' ? 'add_seats' : 'remove_seats';
    const input = z
      .object({
        customer: CustomerInput,
        subscriptionId: SubscriptionIdInput,
        count: SeatDeltaSchema.describe(`How many seats to ${mode} (at least 1)`),
        ifCurrent: IfCurrentInput,
        dryRun: DryRunInput,
      })
      .strict();
    return defineTool({
      name,
      title: mode === 'add' ? 'Add seats' : 'Remove seats',
      description: `${mode === 'add' ? 'Adds' : 'Removes'} seats on one subscription returned by list_license_subscriptions in this session. Give its customer, subscriptionId and the seats you saw as ifCurrent. A dry run unless the server was started with --enable-writes; refused in read-only mode and beyond the session's seat cap.`,
      input,
      annotations: { ...writeTool, title: mode === 'add' ? 'Add seats' : 'Remove seats' },
      run: async (args) => {
        let usedDryRun = true;
        const r = await write(
          name,
          args,
          args.count,
          (t, dryRun) => {
            usedDryRun = dryRun;
            const ref = { customerId: t.customerId, subscriptionId: args.subscriptionId };
            const opts = { ifCurrent: args.ifCurrent, dryRun, actor };
            return mode === 'add'
              ? t.client.addSeats(ref, args.count, opts)
              : t.client.removeSeats(ref, args.count, opts);
          },
          (res) => ({
            outcome: res.outcome,
            before: res.before,
            after: res.after,
            requestId: res.requestId,
            changed: res.outcome === 'applied' || res.outcome === 'pending' ? res.requested - res.before : 0,
          }),
        );
        if (r.outcome === 'applied' && r.after !== null) {
          session.listed.set(subscriptionKey(r.provider, r.customerId, r.subscriptionId), r.after);
        }
        const note = dryRunNote(usedDryRun);
        const structured = {
          outcome: r.outcome,
          dryRun: usedDryRun,
          customer: formatMarketplaceId({ provider: r.provider, customerId: r.customerId }),
          subscriptionId: r.subscriptionId,
          before: r.before,
          requested: r.requested,
          after: r.after,
          requestId: r.requestId,
          ...(r.checkedBy ? { checkedBy: r.checkedBy, rules: r.rules ?? [] } : {}),
          ...(note ? { note } : {}),
          session: sessionInfo(),
        };
        const verb =
          r.outcome === 'dry-run'
            ? r.checkedBy === 'nothing'
              ? `Dry run: ${r.before} -> ${r.requested} seats is well formed, but nothing checked the vendor's rules (${(r.rules ?? []).join('; ') || 'no rules known'}): the real change may still be refused`
              : `Dry run OK (checked by ${r.checkedBy ?? 'nothing'}): would change ${r.before} -> ${r.requested} seats`
            : r.outcome === 'applied'
              ? `Changed ${r.before} -> ${r.after} seats`
              : r.outcome === 'pending'
                ? `Change ${r.before} -> ${r.requested} seats accepted, pending at the vendor`
                : `Unchanged: already ${r.before} seats`;
        const text = `${verb} on subscription ${r.subscriptionId}${r.requestId ? ` (request ${r.requestId})` : ''}.${note ? ` ${note}` : ''} Session: ${structured.session.seatsChanged}/${maxSeats} seats changed.`;
        return { structured, text };
      },
    });
  };

  const tools: ToolDef[] = [
    defineTool({
      name: 'list_companies',
      title: 'List companies',
      description:
        'Lists the customers of every configured marketplace with their marketplace id (PAX8:<uuid>, SHERWEB:<id>, INGRAM_MICRO:<id>...). A company present at several marketplaces appears once per marketplace: join its ids with ";" to form `company`.',
      input: z
        .object({
          search: z.string().trim().max(200).optional().describe('Only customers whose name contains this text'),
          provider: ProviderIdSchema.optional().describe('Only this marketplace'),
          limit: z.number().int().min(1).max(1000).optional().describe('At most this many (default 200)'),
        })
        .strict(),
      annotations: { ...readOnlyTool, title: 'List companies' },
      run: async (args) => {
        const limit = args.limit ?? 200;
        const needle = args.search?.toLowerCase();
        const clients = marketplaces.clients().filter((c) => !args.provider || c.provider === args.provider);
        if (args.provider && clients.length === 0) {
          throw new ConfigurationError(`${args.provider} is not configured on this server`, {
            provider: args.provider,
            operation: 'list_companies',
            hint: `Configured: ${marketplaces.providers.join(', ') || 'none'}.`,
          });
        }
        const companies: { name: string; marketplaceId: string; provider: ProviderId; status: string }[] = [];
        const failures: { provider: ProviderId; error: McpToolError }[] = [];
        let firstFailure: unknown;
        let truncated = false;
        for (const client of clients) {
          try {
            for await (const c of client.listCustomers()) {
              if (needle && !c.name.toLowerCase().includes(needle)) continue;
              if (companies.length >= limit) {
                truncated = true;
                break;
              }
              companies.push({
                name: c.name,
                marketplaceId: formatMarketplaceId({ provider: client.provider, customerId: c.id }),
                provider: client.provider,
                status: c.status,
              });
            }
          } catch (error) {
            firstFailure ??= error;
            failures.push({ provider: client.provider, error: describeToolError(error) });
          }
          if (truncated) break;
        }
        // Every marketplace failed: that is the answer (a partial list says which failed).
        if (failures.length && failures.length === clients.length) throw firstFailure;
        const lines = companies.map(
          (c) => `- ${c.name} | ${c.marketplaceId}${c.status === 'active' ? '' : ` | ${c.status}`}`,
        );
        const extra = [
          truncated ? `(stopped at ${limit}; narrow with search or provider)` : '',
          ...failures.map((f) => `${f.provider} failed: ${f.error.kind}: ${f.error.message}`),
        ].filter(Boolean);
        return {
          structured: { companies, truncated, failures },
          text: [`${companies.length} companies:`, ...lines, ...extra].join('\n'),
        };
      },
    }),
    defineTool({
      name: 'list_license_subscriptions',
      title: 'List license subscriptions',
      description:
        "Lists every subscription of one license for a company, across all its marketplaces: customer, subscriptionId, provider, billing term, commitment term, seats, renewal date and what can change now. Use a row's customer, subscriptionId and seats (as ifCurrent) for add_seats, remove_seats and cancel_subscription.",
      input: z
        .object({
          company: CompanyInput,
          license: LicenseInput,
          includeInactive: z
            .boolean()
            .optional()
            .describe('Also list cancelled and expired subscriptions (default false)'),
        })
        .strict(),
      annotations: { ...readOnlyTool, title: 'List license subscriptions' },
      run: async (args) => {
        const company = companyRef(args.company);
        marketplaces.forCompany(company); // throws when none of its marketplaces is configured
        const r = await listLicenseSubscriptions(marketplaces, company, args.license, {
          statuses: args.includeInactive
            ? ['active', 'pending', 'suspended', 'pending-cancel', 'cancelled', 'expired', 'unknown']
            : undefined,
        });
        remember(r.subscriptions);
        const searched = r.searched.map(formatMarketplaceId);
        const notSearched = company.marketplaceIds
          .filter((id) => !marketplaces.has(id.provider))
          .map(formatMarketplaceId);
        const structured = {
          company: formatMarketplaceIds(company.marketplaceIds),
          license: args.license,
          searched,
          notSearched,
          subscriptions: r.subscriptions.map(subscriptionRow),
        };
        const head = `${r.subscriptions.length} subscription(s) of "${args.license}" at ${searched.join(', ')}${notSearched.length ? ` (not configured here: ${notSearched.join(', ')})` : ''}:`;
        return { structured, text: [head, ...r.subscriptions.map(subscriptionLine)].join('\n') };
      },
    }),
    defineTool({
      name: 'select_subscription',
      title: 'Select subscription',
      description:
        'Picks the subscription of a license that a policy would change, and says why. purpose "add": active, seats increasable; commitment P1M first, then shortest commitment, then billed monthly, then most seats. purpose "remove": active, at least 2 seats, not known to refuse decreases; decreasable now first, then commitment P1M, then most seats. For the rule "always the monthly subscription" pass require: { commitmentTerm: "P1M" } (a one-month commitment, or month-to-month): when no such subscription exists the answer is a conflict naming what exists, never an annual one. Do NOT use billingTerm "monthly" for that: it is only how often the invoice comes, and a P1Y (annual commitment) subscription is often billed monthly. `prefer` replaces the preference order (the requirements stay). When seats would go to a commitment longer than a month, `warnings` says until when they could be removed again: tell the user before adding.',
      input: z
        .object({
          company: CompanyInput,
          license: LicenseInput,
          purpose: z.enum(['add', 'remove']).describe('What the seats change will be'),
          require: z
            .object({
              commitmentTerm: z
                .enum(['P1M', 'P1Y', 'P3Y', 'none'])
                .optional()
                .describe(
                  'Only subscriptions with this commitment. "P1M" = "the monthly subscription" in an MSP\'s sense (a one-month commitment, or none on a subscription billed monthly).',
                ),
              billingTerm: z
                .enum(['monthly', 'annual', 'biennial', 'triennial'])
                .optional()
                .describe('Only subscriptions billed this often (billing frequency only, not the commitment)'),
            })
            .strict()
            .optional()
            .describe(
              'Hard requirements: nothing else is chosen. {"commitmentTerm": "P1M"} for "always the monthly subscription"',
            ),
          prefer: z
            .array(PreferenceName)
            .min(1)
            .max(8)
            .optional()
            .describe(
              'Preferences in order, e.g. ["commitment-P1M", "most-seats"]. A preference is skipped when nothing matches; use `require` to refuse anything else',
            ),
        })
        .strict(),
      annotations: { ...readOnlyTool, title: 'Select subscription' },
      run: async (args) => {
        const company = companyRef(args.company);
        marketplaces.forCompany(company);
        const policy = policyFor({ purpose: args.purpose, require: args.require, prefer: args.prefer });
        const r = await listLicenseSubscriptions(marketplaces, company, args.license);
        remember(r.subscriptions);
        const choice = selectSubscription(r.subscriptions, policy);
        const row = subscriptionRow(choice.subscription);
        const warnings = choice.warnings.map((w) => ({
          code: w.code,
          message: w.message,
          commitmentTerm: w.commitmentTerm,
          removableUntil: w.removableUntil,
          nextRemovableAt: w.nextRemovableAt,
        }));
        return {
          structured: {
            choice: row,
            reason: choice.reason,
            policy: choice.policy,
            warnings,
            next: {
              tool: args.purpose === 'add' ? 'add_seats' : 'remove_seats',
              customer: row.customer,
              subscriptionId: row.subscriptionId,
              ifCurrent: row.seats,
            },
          },
          text: `Chose ${row.name} | customer ${row.customer} | subscriptionId ${row.subscriptionId} | ${row.seats} seats (use ifCurrent ${row.seats}).\nWhy: ${choice.reason}${warnings.map((w) => `\nWARNING: ${w.message}`).join('')}`,
        };
      },
    }),
    seatsTool('add'),
    seatsTool('remove'),
    defineTool({
      name: 'cancel_subscription',
      title: 'Cancel subscription',
      description:
        "Cancels one subscription returned by list_license_subscriptions in this session. Give its customer, subscriptionId and the seats you saw as ifCurrent (refused with a conflict if they changed). Its seats count against the session's seat cap. A dry run unless the server was started with --enable-writes.",
      input: z
        .object({
          customer: CustomerInput,
          subscriptionId: SubscriptionIdInput,
          ifCurrent: IfCurrentInput,
          effectiveDate: z
            .string()
            .refine(
              (v) => EffectiveDateSchema.safeParse(v).success,
              'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with a zone',
            )
            .optional()
            .describe('When the cancellation takes effect (YYYY-MM-DD), where the vendor allows; default now'),
          dryRun: DryRunInput,
        })
        .strict(),
      annotations: { ...writeTool, title: 'Cancel subscription' },
      run: async (args) => {
        let usedDryRun = true;
        let before: Subscription | undefined;
        const r = await write(
          'cancel_subscription',
          args,
          args.ifCurrent,
          async (t, dryRun) => {
            usedDryRun = dryRun;
            const ref = { customerId: t.customerId, subscriptionId: args.subscriptionId };
            before = await t.client.getSubscription(ref);
            if (before.quantity !== args.ifCurrent) {
              throw new ConflictError(
                `cancelSubscription: the subscription has ${before.quantity} seats, not ${args.ifCurrent} as expected; nothing was changed`,
                {
                  provider: t.provider,
                  operation: 'cancelSubscription',
                  expected: args.ifCurrent,
                  actual: before.quantity,
                  hint: 'Re-read the subscription and decide again with the current seat count.',
                },
              );
            }
            return t.client.cancelSubscription(ref, { dryRun, actor, effectiveDate: args.effectiveDate });
          },
          (res) => ({
            outcome: res.outcome,
            before: before?.quantity ?? null,
            after: res.subscription?.status ?? (res.outcome === 'dry-run' ? null : res.outcome),
            requestId: res.requestId,
            changed: res.outcome === 'dry-run' || before?.status === 'cancelled' ? 0 : -(before?.quantity ?? 0),
          }),
        );
        const note = dryRunNote(usedDryRun);
        const structured = {
          outcome: r.outcome,
          dryRun: usedDryRun,
          customer: formatMarketplaceId({ provider: r.provider as ProviderId, customerId: r.customerId }),
          subscriptionId: r.subscriptionId,
          seatsBefore: before?.quantity ?? null,
          effectiveDate: r.effectiveDate,
          requestId: r.requestId,
          ...(r.checkedBy ? { checkedBy: r.checkedBy, rules: r.rules ?? [] } : {}),
          ...(note ? { note } : {}),
          session: sessionInfo(),
        };
        const what =
          r.outcome === 'dry-run'
            ? r.checkedBy === 'nothing'
              ? "Dry run (nothing checked the vendor's rules; the real cancellation may still be refused): would cancel"
              : `Dry run OK (checked by ${r.checkedBy ?? 'nothing'}): would cancel`
            : r.outcome === 'pending'
              ? 'Cancellation pending for'
              : `Outcome ${r.outcome} for`;
        return {
          structured,
          text: `${what} subscription ${r.subscriptionId} (${structured.seatsBefore ?? '?'} seats)${r.requestId ? `, request ${r.requestId}` : ''}.${note ? ` ${note}` : ''}`,
        };
      },
    }),
    defineTool({
      name: 'verify_connection',
      title: 'Verify connection',
      description: 'Checks the credentials of every configured marketplace and reports what each can see.',
      input: z.object({}).strict(),
      annotations: { ...readOnlyTool, title: 'Verify connection' },
      run: async () => {
        const results = await Promise.all(
          marketplaces.clients().map(async (c) => {
            try {
              const r = await c.verifyConnection();
              return {
                provider: c.provider,
                ok: true as const,
                customers: r.customers,
                customersExact: r.customersExact,
                subscriptions: r.subscriptions,
                subscriptionsExact: r.subscriptionsExact,
                baseUrl: r.baseUrl,
              };
            } catch (error) {
              return { provider: c.provider, ok: false as const, error: describeToolError(error) };
            }
          }),
        );
        const lines = results.map((r) =>
          r.ok
            ? `- ${r.provider}: OK (${r.customers === null ? '?' : `${r.customersExact ? '' : 'at least '}${r.customers}`} customers${r.subscriptions !== null ? `, ${r.subscriptionsExact ? '' : 'at least '}${r.subscriptions} subscriptions` : ''})`
            : `- ${r.provider}: FAILED ${r.error.kind}: ${r.error.message}${r.error.hint ? ` (hint: ${r.error.hint})` : ''}`,
        );
        return {
          structured: { providers: results, mode, session: sessionInfo() },
          text: [`Mode: ${mode}.`, ...lines].join('\n'),
        };
      },
    }),
    defineTool({
      name: 'seat_drift',
      title: 'Seat drift',
      description:
        'Current seats of every subscription of a company vs the baseline this server took of it earlier in this session: the first seat_drift call for a company takes the baseline (or rebaseline: true), later calls report seat and status changes, new and vanished subscriptions, and how much of each change this server made itself.',
      input: z
        .object({
          company: CompanyInput,
          rebaseline: z.boolean().optional().describe('Take a new baseline now (default false)'),
        })
        .strict(),
      annotations: { ...readOnlyTool, title: 'Seat drift' },
      run: async (args) => {
        const company = companyRef(args.company);
        marketplaces.forCompany(company);
        const key = formatMarketplaceIds(
          [...company.marketplaceIds].sort((a, b) => formatMarketplaceId(a).localeCompare(formatMarketplaceId(b))),
        );
        const choices = marketplaces.allForCompany(company);
        const subs: Subscription[] = [];
        for (const c of choices) {
          for await (const s of c.client.listSubscriptions({ customerId: c.customerId })) {
            if (s.customerId.toLowerCase() === c.customerId.toLowerCase()) subs.push(s);
          }
        }
        remember(subs);
        const current = await createSnapshot(subs);
        current.completeProviders = [...new Set(choices.map((c) => c.provider))].sort();
        const baseline = session.baselines.get(key);
        if (!baseline || args.rebaseline) {
          session.baselines.set(key, current);
          return {
            structured: {
              company: key,
              baselineTakenAt: current.takenAt,
              baselineNew: true,
              subscriptions: current.entries.map((e) => ({
                customer: formatMarketplaceId(e),
                subscriptionId: e.subscriptionId,
                name: e.name,
                status: e.status,
                seats: e.quantity,
              })),
            },
            text: `Baseline taken for ${key}: ${current.entries.length} subscription(s), ${current.entries.reduce((n, e) => n + e.quantity, 0)} seats. Call seat_drift again later to see what changed.`,
          };
        }
        const diff = diffSnapshots(baseline, current);
        const bySession = (e: { provider: string; customerId: string; subscriptionId: string }) =>
          session.changedBySession.get(subscriptionKey(e.provider, e.customerId, e.subscriptionId)) ?? 0;
        const seatChanges = diff.seatChanges.map((c) => ({
          customer: formatMarketplaceId(c.entry),
          subscriptionId: c.entry.subscriptionId,
          name: c.entry.name,
          before: c.before,
          after: c.after,
          delta: c.delta,
          byThisServer: bySession(c.entry),
        }));
        const short = (e: (typeof diff.added)[number]) => ({
          customer: formatMarketplaceId(e),
          subscriptionId: e.subscriptionId,
          name: e.name,
          status: e.status,
          seats: e.quantity,
        });
        const structured = {
          company: key,
          baselineTakenAt: baseline.takenAt,
          baselineNew: false,
          takenAt: current.takenAt,
          seatChanges,
          statusChanges: diff.statusChanges.map((c) => ({
            customer: formatMarketplaceId(c.entry),
            subscriptionId: c.entry.subscriptionId,
            name: c.entry.name,
            before: c.before,
            after: c.after,
          })),
          added: diff.added.map(short),
          removed: diff.removed.map(short),
          summary: diff.summary,
        };
        const lines = [
          ...seatChanges.map(
            (c) =>
              `- ${c.name} (${c.subscriptionId}): ${c.before} -> ${c.after} seats${c.byThisServer ? ` (${c.byThisServer > 0 ? '+' : ''}${c.byThisServer} by this server)` : ''}`,
          ),
          ...structured.statusChanges.map((c) => `- ${c.name} (${c.subscriptionId}): ${c.before} -> ${c.after}`),
          ...structured.added.map((a) => `- new: ${a.name} (${a.subscriptionId}), ${a.seats} seats`),
          ...structured.removed.map((a) => `- gone: ${a.name} (${a.subscriptionId}), had ${a.seats} seats`),
        ];
        return {
          structured,
          text: [
            `Drift of ${key} since ${baseline.takenAt}: ${lines.length ? `${lines.length} change(s)` : 'no change'}.`,
            ...lines,
          ].join('\n'),
        };
      },
    }),
  ];
  // The reconciliation tools (src/mcp/tools/): the same mode, seat cap, audit and session memory as the seat tools.
  tools.push(
    ...reconciliationTools({
      marketplaces,
      graph: options.graph,
      enableWrites,
      readOnly,
      actor,
      seatsUsed: () => session.seatsChanged + session.reserved,
      maxSeats,
      addSeats: (n) => {
        session.seatsChanged += n;
      },
      audit,
      remember,
      sessionInfo,
    }),
  );

  // ---- registration and dispatch -------------------------------------------------------------------------------

  // Our tools are registered with the MCP SDK like any other: it lists them and dispatches `tools/call` to them, and
  // to every tool registered later on the returned server. In front of its `tools/call` handler sits one step of
  // ours, so bad input to our tools is a typed `validation` error with every issue (the SDK would answer with its
  // plain-text message) and an unknown tool is a typed error naming the tools. The rails are in the tools' `run`.
  const registered = new Map<string, { def: ToolDef; tool: RegisteredTool }>();
  const call = async (def: ToolDef, args: unknown): Promise<CallToolResult> => {
    try {
      const valid = validateInput(def.input, args ?? {}, `${def.name} input`);
      const out = await def.run(valid);
      return scrubValue({ content: [{ type: 'text', text: out.text }], structuredContent: out.structured });
    } catch (error) {
      if (!(error instanceof MarketplaceError)) {
        process.stderr.write(
          scrubText(
            `mcp: unexpected error in ${def.name}: ${error instanceof Error ? error.message : String(error)}\n`,
          ),
        );
      }
      return toolErrorResult(error);
    }
  };
  const sdk = captureToolHandlers(server, () => {
    for (const def of tools) {
      const tool = server.registerTool(
        def.name,
        { title: def.title, description: def.description, inputSchema: def.input, annotations: def.annotations },
        (args: unknown) => call(def, args),
      );
      registered.set(def.name, { def, tool });
    }
  });
  const { callTool: sdkCallTool, listTools: sdkListTools } = sdk;
  if (sdkCallTool) {
    server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { name } = request.params;
      const entry = registered.get(name);
      const ours = entry?.tool.enabled === true;
      if (ours) {
        try {
          validateInput(entry.def.input, request.params.arguments ?? {}, `${name} input`);
        } catch (error) {
          return toolErrorResult(error);
        }
      }
      // Every tool's result (ours and tools registered later) leaves scrubbed of every live client's secrets.
      const result = scrubValue(await sdkCallTool(request, extra));
      if (ours || !sdkListTools || !(result as CallToolResult).isError) return result;
      // The SDK refused it, or the tool failed: an unknown (or disabled) tool gets our typed error.
      const listed = (await sdkListTools({ method: 'tools/list', params: {} }, extra)) as ListToolsResult;
      const names = listed.tools.map((t) => t.name);
      if (names.includes(name)) return result;
      return toolErrorResult(
        new ValidationError(`Unknown tool "${name}"`, [{ path: 'name', message: 'unknown tool' }], {
          hint: `Tools: ${names.join(', ')}.`,
        }),
      );
    });
  }
  return server;
}
