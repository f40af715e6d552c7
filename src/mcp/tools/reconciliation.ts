/**
 * MCP tools of the reconciliation workflows: reads (`reconcile_licenses`, `rightsizing_plan`, `renewal_calendar`,
 * `list_invoices`) and Microsoft 365 license writes (`assign_license`, `unassign_license`, `onboard_user`,
 * `offboard_user`), which are dry runs unless the server runs with writes enabled, refused in read-only mode,
 * counted against the session's seat cap (one per call) and audited like the seat tools.
 */
import * as z from 'zod';
import { BusinessRuleError, ConfigurationError, MarketplaceError, ReadOnlyError } from '../../core/errors.js';
import { IdSchema } from '../../core/validate.js';
import type { GraphClient } from '../../graph/client.js';
import type { Subscription } from '../../model/subscription.js';
import { formatMarketplaceId, parseMarketplaceId, parseMarketplaceIds } from '../../workflows/marketplace-ids.js';
import { offboardUser, onboardUser } from '../../workflows/onboarding.js';
import { type CompanyReconciliation, formatMoneyTotals, reconcileLicenses } from '../../workflows/reconcile.js';
import type { CompanyRef, Marketplaces } from '../../workflows/registry.js';
import { renewalCalendar } from '../../workflows/renewals.js';
import { buildRightsizingPlan } from '../../workflows/rightsizing.js';
import { describeToolError } from '../errors.js';
import { type ToolDef, readOnlyTool, writeTool } from './tool-def.js';

/** A Graph client per tenant: one client (its own tenant only), or a factory. */
export type McpGraphOption = GraphClient | ((tenantId: string) => GraphClient);

/** One audit entry as the server records it (see `McpAuditEntry`). */
export interface ToolAudit {
  tool: string;
  provider: null;
  customerId: string | null;
  subscriptionId: string | null;
  count: number | null;
  ifCurrent: null;
  dryRun: boolean;
  outcome: string;
  before: null;
  after: string | null;
  requestId: null;
  error?: { kind: string; message: string } | undefined;
}

/** What the tools need of the server: its marketplaces, Graph, mode, seat cap, audit and session memory. */
export interface ToolDefContext {
  marketplaces: Marketplaces;
  graph: McpGraphOption | undefined;
  enableWrites: boolean;
  readOnly: boolean;
  actor: string;
  /** Seats changed so far plus reserved, and the cap. */
  seatsUsed(): number;
  maxSeats: number;
  /** Counts `n` seats as changed by this session. */
  addSeats(n: number): void;
  audit(entry: ToolAudit): void;
  /** Remembers listed subscriptions (so the seat tools accept them). */
  remember(subs: readonly Subscription[]): void;
  sessionInfo(): Record<string, unknown>;
}

const CompanyInput = z
  .string()
  .trim()
  .min(1)
  .max(4000)
  .describe(
    'The company as marketplace ids separated by ";", with its Microsoft tenant as MICROSOFT_PARTNER_CENTER:<tenant id>',
  );
const TenantInput = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a tenant id (GUID)')
  .optional()
  .describe("The company's Microsoft tenant id (default: its MICROSOFT_PARTNER_CENTER id)");
const CostPeriodInput = z
  .enum(['billing-period', 'month'])
  .optional()
  .describe('What unit costs of annual subscriptions are per (default unknown: their monthly cost is not guessed)');
const SkuInput = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a Graph skuId (GUID)')
  .describe('The Graph skuId (GUID) of the license, as reconcile_licenses shows it');
const UserInput = IdSchema.describe('The user: id (GUID) or userPrincipalName');
const DryRunInput = z
  .boolean()
  .optional()
  .describe('Only check (default false; always true when the server runs without --enable-writes)');

function companyOf(text: string): CompanyRef {
  return { marketplaceIds: parseMarketplaceIds(text) };
}

const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : null);

function summary(r: CompanyReconciliation) {
  return r.licenses.map((l) => ({
    license: l.label,
    graphSkuId: l.graph?.skuId ?? null,
    graphSku: l.graph?.skuPartNumber ?? null,
    bought: l.bought,
    assigned: l.assigned,
    unused: l.unused,
    overAssigned: l.overAssigned,
    releasableNow: l.releasableNow,
    unusedMonthlyCost: l.unusedMonthlyCost,
    costComplete: l.costComplete,
    decidable: l.decidable,
    releases: l.releases.map((x) => ({
      customer: formatMarketplaceId(x),
      subscriptionId: x.subscriptionId,
      seats: x.seats,
      currentSeats: x.currentSeats,
      when: x.when,
      at: day(x.at),
      monthlyCost: x.monthlyCost,
      costUntilRelease: x.costUntilRelease,
    })),
    subscriptions: l.subscriptions.map((s) => ({
      customer: formatMarketplaceId(s),
      subscriptionId: s.subscriptionId,
      seats: s.seats,
      commitmentTerm: s.commitmentTerm,
      termEnd: day(s.termEnd),
      autoRenew: s.autoRenew,
      decreaseWindow: s.window.state,
      decreaseFrom: day(s.window.earliest),
      unitCost: s.unitCost,
      flagged: s.problems.length > 0,
    })),
    notes: l.notes,
  }));
}

/** The reconciliation tools, bound to one server's context. */
export function reconciliationTools(ctx: ToolDefContext): ToolDef[] {
  const graphFor = (company: CompanyRef, tenant?: string): GraphClient => {
    const tenantId = tenant ?? company.marketplaceIds.find((m) => m.provider === 'partner-center')?.customerId;
    if (!ctx.graph) {
      throw new ConfigurationError('This MCP server has no Microsoft Graph client', {
        operation: 'mcp',
        hint: 'Start the server with a Graph client (createMarketplaceMcpServer({ graph })).',
      });
    }
    if (typeof ctx.graph === 'function') {
      if (!tenantId) {
        throw new ConfigurationError(
          'Which Microsoft tenant? Give tenant, or MICROSOFT_PARTNER_CENTER:<tenant id> in company',
          {
            operation: 'mcp',
          },
        );
      }
      return ctx.graph(tenantId);
    }
    if (tenantId && tenantId.toLowerCase() !== ctx.graph.tenantId.toLowerCase()) {
      throw new ConfigurationError(
        `This server's Graph client works in tenant ${ctx.graph.tenantId}, not ${tenantId}`,
        {
          operation: 'mcp',
        },
      );
    }
    return ctx.graph;
  };
  const optionalGraph = (company: CompanyRef, tenant?: string): GraphClient | undefined =>
    ctx.graph ? graphFor(company, tenant) : undefined;

  /** The rails of a Graph write: read-only refusal and the seat cap; returns whether it is a dry run. */
  const rails = (tool: string, asked: boolean | undefined): boolean => {
    if (ctx.readOnly) {
      throw new ReadOnlyError(`${tool} refused: this MCP server runs in read-only mode; nothing was sent`, {
        operation: tool,
        hint: 'Ask a person to make the change, or to restart the server without --read-only.',
      });
    }
    const dryRun = !ctx.enableWrites || asked === true;
    if (!dryRun && ctx.seatsUsed() + 1 > ctx.maxSeats) {
      throw new BusinessRuleError(
        `${tool} refused: this session may change no more seats (cap ${ctx.maxSeats}); nothing was sent`,
        {
          operation: tool,
          code: 'SESSION_SEAT_CAP',
          hint: 'Ask a person to make this change, or to restart the server with a higher --max-seats-per-session.',
        },
      );
    }
    return dryRun;
  };

  const audited = async <R>(
    tool: string,
    tenantId: string | null,
    userId: string,
    dryRun: boolean,
    fn: () => Promise<R>,
    outcome: (r: R) => { outcome: string; changed: boolean },
  ): Promise<R> => {
    const base = {
      tool,
      provider: null,
      customerId: tenantId,
      subscriptionId: null,
      count: 1,
      ifCurrent: null,
      dryRun,
      before: null,
      requestId: null,
    } as const;
    try {
      const r = await fn();
      const o = outcome(r);
      if (!dryRun && o.changed) ctx.addSeats(1);
      ctx.audit({ ...base, outcome: o.outcome, after: userId });
      return r;
    } catch (error) {
      const e = describeToolError(error);
      ctx.audit({ ...base, outcome: 'failed', after: null, error: { kind: e.kind, message: e.message } });
      throw error;
    }
  };

  const note = (dryRun: boolean) =>
    dryRun
      ? ctx.enableWrites
        ? 'Dry run as asked: nothing was changed.'
        : 'Dry run: this server runs without --enable-writes, so nothing was changed.'
      : undefined;

  /** Reconciles the company named in a tool's arguments and remembers its subscriptions for later seat tools. */
  const reconcile = async (args: { company: string; tenant?: string; costPeriod?: 'billing-period' | 'month' }) => {
    const company = companyOf(args.company);
    const r = await reconcileLicenses({
      marketplaces: ctx.marketplaces,
      company,
      graph: optionalGraph(company, args.tenant),
      costPeriod: args.costPeriod,
    });
    ctx.remember(r.licenses.flatMap((l) => l.subscriptions.map((s) => s.subscription)));
    return r;
  };

  return [
    {
      name: 'reconcile_licenses',
      title: 'Reconcile licenses',
      description:
        "Per license of a company: seats bought at every marketplace, assigned in Microsoft 365 (Graph), unused, their monthly cost (null when unknown) and when each can be released (now inside a vendor's decrease window, else at the term end). Read-only.",
      input: z.object({ company: CompanyInput, tenant: TenantInput, costPeriod: CostPeriodInput }).strict(),
      annotations: { ...readOnlyTool, title: 'Reconcile licenses' },
      run: (async (args: { company: string; tenant?: string; costPeriod?: 'billing-period' | 'month' }) => {
        const r = await reconcile(args);
        const licenses = summary(r);
        const lines = licenses.map(
          (l) =>
            `- ${l.license}: bought ${l.bought}, assigned ${l.assigned ?? '?'}, unused ${l.unused ?? '?'} (${l.releasableNow} now), ${formatMoneyTotals(l.unusedMonthlyCost)}/month${l.costComplete ? '' : ' + unknown'}`,
        );
        return {
          structured: {
            at: r.at,
            tenantId: r.tenantId,
            licenses,
            graphOnly: r.graphOnly.map(({ problems: _p, ...g }) => g),
            failures: r.failures.map((f) => ({ provider: f.provider, error: describeToolError(f.error) })),
            totals: r.totals,
          },
          text: [
            `Reconciliation at ${r.at}${r.tenantId ? ` (tenant ${r.tenantId})` : ' (no Graph: assigned unknown)'}:`,
            ...lines,
          ].join('\n'),
        };
      }) as never,
    },
    {
      name: 'rightsizing_plan',
      title: 'Rightsizing plan',
      description:
        'The seat decreases to make now for a company (only inside open decrease windows), each checked by a dry run (checkedBy says who checked); later releases at term ends. Sends no change: use remove_seats with the given customer, subscriptionId and ifCurrent to apply one.',
      input: z.object({ company: CompanyInput, tenant: TenantInput, costPeriod: CostPeriodInput }).strict(),
      annotations: { ...readOnlyTool, title: 'Rightsizing plan' },
      run: (async (args: { company: string; tenant?: string; costPeriod?: 'billing-period' | 'month' }) => {
        const r = await reconcile(args);
        const plan = await buildRightsizingPlan(r, {
          marketplaces: ctx.marketplaces,
          actor: ctx.actor,
          dryRun: !ctx.readOnly,
        });
        const changes = plan.changes.map((c) => ({
          ...c,
          customer: formatMarketplaceId(c),
          next: {
            tool: 'remove_seats',
            customer: formatMarketplaceId(c),
            subscriptionId: c.subscriptionId,
            count: c.remove,
            ifCurrent: c.from,
          },
        }));
        return {
          structured: { ...plan, changes },
          text: [
            `Plan: ${plan.totals.seatsNow} seat(s) can go now, saving ${formatMoneyTotals(plan.totals.monthlySavingNow)}/month; ${plan.totals.seatsLater} later.`,
            ...changes.map(
              (c) =>
                `- ${c.license} ${c.customer} ${c.subscriptionId}: ${c.from} -> ${c.to} (${c.check.ok ? `dry run OK, checked by ${c.check.checkedBy}` : `not OK: ${c.check.error?.message}`})`,
            ),
            ...plan.later.map((x) => `- later: ${x.license}: ${x.seats} seat(s) on ${day(x.at)}`),
          ].join('\n'),
        };
      }) as never,
    },
    {
      name: 'renewal_calendar',
      title: 'Renewal calendar',
      description:
        "A company's subscriptions by term end: seats, commitment, auto-renew and decrease window. Read-only.",
      input: z
        .object({
          company: CompanyInput,
          withinDays: z.number().int().min(0).max(3650).optional().describe('Only term ends within this many days'),
        })
        .strict(),
      annotations: { ...readOnlyTool, title: 'Renewal calendar' },
      run: (async (args: { company: string; withinDays?: number }) => {
        const cal = await renewalCalendar({
          marketplaces: ctx.marketplaces,
          companies: [companyOf(args.company)],
          withinDays: args.withinDays,
        });
        const entries = cal.entries.map((e) => ({
          termEnd: day(e.termEnd),
          daysLeft: e.daysLeft,
          customer: formatMarketplaceId(e),
          subscriptionId: e.subscriptionId,
          name: e.name,
          seats: e.seats,
          commitmentTerm: e.commitmentTerm,
          autoRenew: e.autoRenew,
          canSetAutoRenew: e.canSetAutoRenew,
          decreaseWindow: e.window.state,
          decreaseFrom: day(e.window.earliest),
        }));
        return {
          structured: {
            at: cal.at,
            entries,
            failures: cal.failures.map((f) => ({ provider: f.provider, error: describeToolError(f.error) })),
          },
          text:
            entries
              .map(
                (e) =>
                  `- ${e.termEnd ?? '?'} ${e.name} (${e.customer} ${e.subscriptionId}): ${e.seats} seats, auto-renew ${e.autoRenew ?? 'unknown'}, decrease ${e.decreaseWindow}`,
              )
              .join('\n') || 'No subscription.',
        };
      }) as never,
    },
    {
      name: 'list_invoices',
      title: 'List invoices',
      description:
        'Invoices of one customer (marketplace id) or of every configured marketplace that publishes them. Read-only.',
      input: z
        .object({
          customer: IdSchema.optional().describe('A customer as a marketplace id, e.g. "PAX8:<uuid>"'),
          from: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .optional(),
          to: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .optional(),
          limit: z.number().int().min(1).max(500).optional().describe('Most invoices per marketplace (default 50)'),
        })
        .strict(),
      annotations: { ...readOnlyTool, title: 'List invoices' },
      run: (async (args: { customer?: string; from?: string; to?: string; limit?: number }) => {
        const target = args.customer ? parseMarketplaceId(args.customer) : undefined;
        const clients = target ? [ctx.marketplaces.require(target.provider)] : ctx.marketplaces.clients();
        const out: Record<string, unknown>[] = [];
        const skipped: string[] = [];
        const failures: unknown[] = [];
        for (const c of clients) {
          if (c.capabilities.invoices !== true) {
            skipped.push(c.provider);
            continue;
          }
          try {
            const list = await c
              .listInvoices({ customerId: target?.customerId, from: args.from, to: args.to })
              .toArray({ limit: args.limit ?? 50 });
            for (const { raw: _raw, ...i } of list) out.push(i);
          } catch (error) {
            if (!(error instanceof MarketplaceError)) throw error;
            failures.push({ provider: c.provider, error: describeToolError(error) });
          }
        }
        return {
          structured: { invoices: out, withoutInvoiceRead: skipped, failures },
          text: `${out.length} invoice(s)${skipped.length ? `; no invoice read at ${skipped.join(', ')}` : ''}.`,
        };
      }) as never,
    },
    ...(['assign', 'unassign'] as const).map(
      (mode): ToolDef => ({
        name: `${mode}_license`,
        title: mode === 'assign' ? 'Assign license' : 'Unassign license',
        description: `${mode === 'assign' ? 'Gives a user' : 'Takes from a user'} a Microsoft 365 license (Graph assignLicense) in the company's tenant. Buys or releases no marketplace seat (use onboard_user / offboard_user for that). A dry run unless the server runs with --enable-writes; refused in read-only mode; counts one against the session's cap.`,
        input: z
          .object({
            company: CompanyInput,
            tenant: TenantInput,
            userId: UserInput,
            skuId: SkuInput,
            dryRun: DryRunInput,
          })
          .strict(),
        annotations: { ...writeTool, title: mode === 'assign' ? 'Assign license' : 'Unassign license' },
        run: (async (args: { company: string; tenant?: string; userId: string; skuId: string; dryRun?: boolean }) => {
          const tool = `${mode}_license`;
          const dryRun = rails(tool, args.dryRun);
          const graph = graphFor(companyOf(args.company), args.tenant);
          const skuId = args.skuId.toLowerCase();
          const r = await audited(
            tool,
            graph.tenantId,
            args.userId,
            dryRun,
            async () => {
              const held = (await graph.getAssignedLicenses(args.userId)).some((l) => l.skuId === skuId);
              if (mode === 'assign' ? held : !held)
                return { outcome: 'unchanged', has: held, free: null as number | null };
              const sku = await graph.getSubscribedSku(skuId);
              if (dryRun) return { outcome: 'dry-run', has: held, free: sku.freeSeats };
              await graph.assignLicense(
                args.userId,
                mode === 'assign' ? { add: [skuId], remove: [] } : { add: [], remove: [skuId] },
                { actor: ctx.actor },
              );
              return { outcome: 'applied', has: mode === 'assign', free: sku.freeSeats + (mode === 'assign' ? -1 : 1) };
            },
            (x) => ({ outcome: x.outcome, changed: x.outcome === 'applied' }),
          );
          const n = note(dryRun);
          const what =
            r.outcome === 'unchanged'
              ? `Nothing to do: the user ${mode === 'assign' ? 'already has' : 'does not have'} the license.`
              : r.outcome === 'dry-run'
                ? `Dry run: would ${mode} the license (${r.free} free seat(s) now${mode === 'assign' && (r.free ?? 0) <= 0 ? ': no free seat, the assignment would fail; use onboard_user' : ''}).`
                : `${mode === 'assign' ? 'Assigned' : 'Unassigned'}.`;
          return {
            structured: {
              outcome: r.outcome,
              userId: args.userId,
              skuId,
              freeSeats: r.free,
              dryRun,
              ...(n ? { note: n } : {}),
              session: ctx.sessionInfo(),
            },
            text: `${what}${n ? ` ${n}` : ''}`,
          };
        }) as never,
      }),
    ),
    ...(['onboard', 'offboard'] as const).map(
      (mode): ToolDef => ({
        name: `${mode}_user`,
        title: mode === 'onboard' ? 'Onboard user' : 'Offboard user',
        description:
          mode === 'onboard'
            ? "Gives a user a license, buying one seat (on the subscription the default policy picks: monthly first, conditional on the seats read) when none is free. A dry run unless the server runs with --enable-writes; refused in read-only mode; counts one seat against the session's cap."
            : "Takes a license from a user, then releases the freed seat at the marketplace when its decrease window allows (else it stays, with the reason). A dry run unless the server runs with --enable-writes; refused in read-only mode; counts one seat against the session's cap.",
        input: z
          .object({
            company: CompanyInput,
            tenant: TenantInput,
            license: z
              .string()
              .trim()
              .min(1)
              .max(200)
              .describe('The license name or SKU at the marketplaces, e.g. "Microsoft 365 Business Premium"'),
            skuId: SkuInput,
            userId: UserInput,
            dryRun: DryRunInput,
          })
          .strict(),
        annotations: { ...writeTool, title: mode === 'onboard' ? 'Onboard user' : 'Offboard user' },
        run: (async (args: {
          company: string;
          tenant?: string;
          license: string;
          skuId: string;
          userId: string;
          dryRun?: boolean;
        }) => {
          const tool = `${mode}_user`;
          const dryRun = rails(tool, args.dryRun);
          const company = companyOf(args.company);
          const graph = graphFor(company, args.tenant);
          const input = {
            marketplaces: ctx.marketplaces,
            graph,
            company,
            license: { match: args.license, skuId: args.skuId },
            userId: args.userId,
            dryRun,
            actor: ctx.actor,
          };
          const r = await audited(
            tool,
            graph.tenantId,
            args.userId,
            dryRun,
            async () => (mode === 'onboard' ? onboardUser(input) : offboardUser(input)),
            (x) => ({ outcome: x.outcome, changed: x.outcome === 'assigned' || x.outcome === 'unassigned' }),
          );
          const n = note(dryRun);
          const reason = 'reason' in r ? r.reason : r.seat.reason;
          return {
            structured: {
              ...JSON.parse(JSON.stringify(r)),
              dryRun,
              ...(n ? { note: n } : {}),
              session: ctx.sessionInfo(),
            },
            text: `${r.outcome}: ${reason}${n ? ` ${n}` : ''}`,
          };
        }) as never,
      }),
    ),
  ];
}
