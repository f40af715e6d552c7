import { createInterface } from 'node:readline/promises';
import { ConflictError } from '../../core/errors.js';
import type { CancelResult, PendingOperation, PurchaseResult, SeatChangeResult } from '../../model/operations.js';
import { RequestableBillingTermSchema, type Subscription } from '../../model/subscription.js';
import { formatMarketplaceId } from '../../workflows/marketplace-ids.js';
import { type CustomerTarget, resolveCustomer } from '../context.js';
import { CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { type TrackedWrite, type WriteDescription, trackWrite } from '../interrupt.js';
import { purchaseQuestion } from './purchase-details.js';
import { renderFields, withoutRaw, writeJson } from '../output.js';
import type { CommandEnv } from './shared.js';

/** Options every write takes. */
export interface WriteCommandOptions {
  customer?: string | undefined;
  dryRun?: boolean | undefined;
  yes?: boolean | undefined;
}

/** Parses a whole number argument. */
export function parseCount(text: string, what: string, min = 0): number {
  if (!/^\d+$/.test(text.trim())) throw new CliUsageError(`${what} must be a whole number, got "${text}"`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n < min) throw new CliUsageError(`${what} must be at least ${min}, got "${text}"`);
  return n;
}

/** A write's pending operation in JSON output: id, kind and first status (the object itself holds a client). */
function operationJson(operation: PendingOperation | undefined): { operation?: Record<string, string> } {
  return operation ? { operation: { id: operation.id, kind: operation.kind, status: operation.initial.status } } : {};
}

/** A write's pending operation in the table output. */
function operationText(operation: PendingOperation | undefined): string | undefined {
  return operation ? `${operation.id} (${operation.initial.status})` : undefined;
}

/** JSON output of a seat change or cancellation: the subscription without `raw` (unless --raw), the operation. */
/** On a dry run: who checked it and the rules applied (`nothing`: the vendor may still refuse). */
function checkedRows(result: { checkedBy?: string | undefined; rules?: string[] | undefined }): [string, unknown][] {
  if (result.checkedBy === undefined) return [];
  const who = result.checkedBy === 'nothing' ? 'nothing (the vendor may still refuse)' : result.checkedBy;
  return [
    ['checked by', who],
    ...(result.rules ?? []).map((rule, i): [string, unknown] => [i === 0 ? 'rules' : '', rule]),
  ];
}

function writeChangeJson(env: CommandEnv, result: SeatChangeResult | CancelResult): void {
  const { subscription, operation, ...rest } = result;
  writeJson(env.io.stdout, {
    ...rest,
    ...(subscription ? { subscription: withoutRaw(subscription, env.global.raw) } : {}),
    ...operationJson(operation),
  });
}

function requireTarget(env: CommandEnv, options: WriteCommandOptions): CustomerTarget {
  const target = resolveCustomer(env.ctx, { company: env.global.company, customer: options.customer });
  if (!target) {
    throw new CliUsageError(
      'Which customer? Pass --company <marketplace id> (e.g. PAX8:<uuid>) or --customer <id>',
      'List customers with: msp-marketplace customers list',
    );
  }
  return target;
}

/**
 * Asks for confirmation on the terminal. Refuses (usage error) when stdin is not a terminal: a script must say
 * `--yes`. Returns whether the user agreed.
 */
async function confirm(env: CommandEnv, question: string, options: WriteCommandOptions): Promise<boolean> {
  if (options.yes || options.dryRun) return true;
  const stdin = env.io.stdin;
  if (!stdin?.isTTY) {
    throw new CliUsageError(
      'Refusing to ask for confirmation: stdin is not a terminal',
      'Pass --yes to confirm in scripts, or --dry-run to only check the change.',
    );
  }
  const rl = createInterface({ input: stdin, output: env.io.stderr as NodeJS.WritableStream, terminal: false });
  try {
    env.io.stderr.write(`${question} [y/N] `);
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function declined(env: CommandEnv, tracked: Tracked): ExitCode {
  tracked.release();
  env.io.stderr.write('Cancelled: nothing was changed.\n');
  return EXIT.ok;
}

/** Whether {@link confirm} will ask (no `--yes`, not a dry run). */
function needsPrompt(options: WriteCommandOptions): boolean {
  return !(options.yes || options.dryRun);
}

/** A write as seen by the interrupt handler. */
type Tracked = TrackedWrite;

/** Tracks a write for the interrupt handler; a dry run changes nothing, so it is not tracked. */
function track(_env: CommandEnv, options: WriteCommandOptions, description: WriteDescription): Tracked {
  if (options.dryRun) return { sending() {}, settled() {}, end() {}, release() {} };
  return trackWrite(description);
}

/** Sends a write with the interrupt handler told when its request leaves and when it is answered. */
async function send<T>(tracked: Tracked, write: () => Promise<T>): Promise<T> {
  tracked.sending();
  try {
    const result = await write();
    tracked.settled('applied');
    return result;
  } catch (error) {
    tracked.settled('failed');
    throw error;
  }
}

/** `msp-marketplace` plus the options a follow-up command needs to reach the same clients. */
function cliName(env: CommandEnv): string {
  const parts = ['msp-marketplace'];
  if (env.global.mock) parts.push('--mock');
  if (env.global.config) parts.push('--config', env.global.config);
  return parts.join(' ');
}

/** The command that shows a subscription's current state. */
function checkCommand(env: CommandEnv, target: CustomerTarget, subscriptionId: string): string {
  return `${cliName(env)} subscriptions get ${subscriptionId} --customer ${formatMarketplaceId(target)}`;
}

function describe(s: Subscription): string {
  return `"${s.name}" (${s.provider} subscription ${s.id}, customer ${s.customerId}, ${s.billingTerm}${s.commitment ? `, ${s.commitment.term}` : ''})`;
}

/** How `seats` changes the count. */
export type SeatsMode = 'set' | 'add' | 'remove';

/** Options of `seats set|add|remove`. */
export interface SeatsOptions extends WriteCommandOptions {
  ifCurrent?: string | undefined;
}

/** `seats set|add|remove <subscription> <n>`. */
export async function seatsCommand(
  env: CommandEnv,
  mode: SeatsMode,
  subscriptionId: string,
  amount: string,
  options: SeatsOptions,
): Promise<ExitCode> {
  const n = parseCount(amount, mode === 'set' ? 'The seat count' : 'The number of seats', mode === 'set' ? 0 : 1);
  const ifCurrent = options.ifCurrent === undefined ? undefined : parseCount(options.ifCurrent, '--if-current');
  const target = requireTarget(env, options);
  const ref = { customerId: target.customerId, subscriptionId };
  const client = target.handle.client;
  const current = await client.getSubscription(ref);
  if (ifCurrent !== undefined && current.quantity !== ifCurrent) {
    throw new ConflictError(`The subscription has ${current.quantity} seats, not ${ifCurrent}; nothing was changed`, {
      provider: target.provider,
      operation: 'setSeats',
      expected: ifCurrent,
      actual: current.quantity,
      hint: 'Someone changed it meanwhile: check the new count, then run again with --if-current set to it.',
    });
  }
  const wanted = mode === 'set' ? n : mode === 'add' ? current.quantity + n : current.quantity - n;
  if (wanted < 0) throw new CliUsageError(`Cannot remove ${n} seats from ${current.quantity}`);
  const tracked = track(env, options, {
    what: `the change of "${current.name}" from ${current.quantity} to ${wanted} seats`,
    check: checkCommand(env, target, subscriptionId),
  });
  const ok = await confirm(env, `Change ${describe(current)} from ${current.quantity} to ${wanted} seats?`, options);
  if (!ok) return declined(env, tracked);
  // After a prompt the count the user saw is the condition: a change made meanwhile is a conflict, not overwritten.
  const condition = ifCurrent ?? (options.yes || options.dryRun ? undefined : current.quantity);
  const writeOptions = { ifCurrent: condition, dryRun: options.dryRun };
  const result: SeatChangeResult = await send(tracked, () =>
    mode === 'set'
      ? client.setSeats(ref, n, writeOptions)
      : mode === 'add'
        ? client.addSeats(ref, n, writeOptions)
        : client.removeSeats(ref, n, writeOptions),
  );
  if (env.global.json) {
    writeChangeJson(env, result);
  } else {
    env.io.stdout.write(
      renderFields([
        ['subscription', current.name],
        ['provider', result.provider],
        ['customer', result.customerId],
        ['outcome', result.outcome],
        ['before', result.before],
        ['requested', result.requested],
        ['after', result.after],
        ...checkedRows(result),
        ['operation', operationText(result.operation)],
        ['request id', result.requestId],
      ]),
    );
  }
  tracked.end();
  return EXIT.ok;
}

/** Options of `cancel`. */
export interface CancelCommandOptions extends WriteCommandOptions {
  effectiveDate?: string | undefined;
}

/** `cancel <subscription>`. */
export async function cancelCommand(
  env: CommandEnv,
  subscriptionId: string,
  options: CancelCommandOptions,
): Promise<ExitCode> {
  const target = requireTarget(env, options);
  const ref = { customerId: target.customerId, subscriptionId };
  const client = target.handle.client;
  const current = await client.getSubscription(ref);
  const when = options.effectiveDate ? ` on ${options.effectiveDate}` : '';
  const tracked = track(env, options, {
    what: `the cancellation of "${current.name}"`,
    check: checkCommand(env, target, subscriptionId),
  });
  if (!(await confirm(env, `Cancel ${describe(current)} with ${current.quantity} seats${when}?`, options))) {
    return declined(env, tracked);
  }
  const result: CancelResult = await send(tracked, () =>
    client.cancelSubscription(ref, {
      dryRun: options.dryRun,
      effectiveDate: options.effectiveDate,
    }),
  );
  if (env.global.json) {
    writeChangeJson(env, result);
  } else {
    env.io.stdout.write(
      renderFields([
        ['subscription', current.name],
        ['provider', result.provider],
        ['customer', result.customerId],
        ['outcome', result.outcome],
        ['effective', result.effectiveDate],
        ...checkedRows(result),
        ['operation', operationText(result.operation)],
        ['request id', result.requestId],
      ]),
    );
  }
  tracked.end();
  return EXIT.ok;
}

/** Options of `purchase`. */
export interface PurchaseCommandOptions extends WriteCommandOptions {
  product: string;
  quantity: string;
  billingTerm: string;
  commitmentTerm?: string | undefined;
}

/** `purchase --product <id> --quantity <n> --billing-term <term>`. */
export async function purchaseCommand(env: CommandEnv, options: PurchaseCommandOptions): Promise<ExitCode> {
  const quantity = parseCount(options.quantity, '--quantity', 1);
  const term = RequestableBillingTermSchema.safeParse(options.billingTerm.toLowerCase());
  if (!term.success) {
    throw new CliUsageError(
      `Unknown billing term "${options.billingTerm}"`,
      `Use one of: ${RequestableBillingTermSchema.options.join(', ')}.`,
    );
  }
  const target = requireTarget(env, options);
  const tracked = track(env, options, {
    what: `the purchase of ${quantity} x ${options.product}`,
    check: `${cliName(env)} subscriptions list --customer ${formatMarketplaceId(target)} (a new subscription appears once the order is placed)`,
  });
  if (needsPrompt(options)) {
    const question = await purchaseQuestion(target, {
      productId: options.product,
      quantity,
      billingTerm: term.data,
      commitmentTerm: options.commitmentTerm,
    });
    if (!(await confirm(env, question, options))) return declined(env, tracked);
  }
  const result: PurchaseResult = await send(tracked, () =>
    target.handle.client.purchase({
      customerId: target.customerId,
      productId: options.product,
      quantity,
      billingTerm: term.data,
      commitmentTerm: options.commitmentTerm,
      dryRun: options.dryRun,
    }),
  );
  if (env.global.json) {
    const { operation, ...rest } = result;
    writeJson(env.io.stdout, { ...withoutRaw(rest, env.global.raw), ...operationJson(operation) });
  } else {
    env.io.stdout.write(
      renderFields([
        ['provider', result.provider],
        ['customer', result.customerId],
        ['outcome', result.outcome],
        ['order', result.orderId],
        ...result.lines.map((l, i): [string, unknown] => [
          `line ${i + 1}`,
          `${l.quantity} x ${l.productId}${l.subscriptionId ? ` -> subscription ${l.subscriptionId}` : ''}`,
        ]),
        ...checkedRows(result),
        ['operation', operationText(result.operation)],
        ['request id', result.requestId],
      ]),
    );
  }
  tracked.end();
  return EXIT.ok;
}
