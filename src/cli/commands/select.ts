import { type BillingTerm, BillingTermSchema } from '../../model/subscription.js';
import { listLicenseSubscriptions } from '../../workflows/license-subscriptions.js';
import { parseMarketplaceIds } from '../../workflows/marketplace-ids.js';
import {
  type CommitmentTermChoice,
  NAMED_PREFERENCES,
  type PreferenceName,
  policyFor,
  selectSubscription,
} from '../../workflows/select-subscription.js';
import { CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { renderFields, withoutRaw, writeJson } from '../output.js';
import type { CommandEnv } from './shared.js';

/** Options of `subscriptions select`. */
export interface SelectCommandOptions {
  license?: string | undefined;
  for?: string | undefined;
  requireCommitment?: string | undefined;
  requireBilling?: string | undefined;
  prefer?: string | undefined;
}

/**
 * `subscriptions select`: which subscription of a license the policy would change for the `--company`, and why.
 * `--require-commitment P1M` is "always the monthly subscription": nothing else is chosen (exit 3, a conflict
 * naming what exists). Warnings (seats going into a commitment longer than a month) go to stderr and `warnings`.
 */
export async function selectCommand(env: CommandEnv, options: SelectCommandOptions): Promise<ExitCode> {
  if (!env.global.company) {
    throw new CliUsageError('Which company? Pass --company <marketplace ids> (e.g. PAX8:<uuid>;SHERWEB:<id>)');
  }
  if (!options.license) throw new CliUsageError('Which license? Pass --license <SKU or name>');
  const purpose = options.for ?? 'add';
  if (purpose !== 'add' && purpose !== 'remove') {
    throw new CliUsageError(`--for must be add or remove, got "${purpose}"`);
  }
  const commitment = options.requireCommitment?.trim().toUpperCase();
  if (commitment !== undefined && !/^(P[1-9]\d*[MY]|NONE)$/.test(commitment)) {
    throw new CliUsageError(
      `--require-commitment must be an ISO 8601 duration (P1M, P1Y, P3Y) or none, got "${options.requireCommitment}"`,
      'For "always the monthly subscription" use --require-commitment P1M.',
    );
  }
  const billing = options.requireBilling?.trim().toLowerCase();
  if (billing !== undefined && !BillingTermSchema.safeParse(billing).success) {
    throw new CliUsageError(
      `--require-billing must be one of ${BillingTermSchema.options.join(', ')}, got "${options.requireBilling}"`,
    );
  }
  const prefer = options.prefer
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of prefer ?? []) {
    if (!(p in NAMED_PREFERENCES)) {
      throw new CliUsageError(
        `Unknown preference "${p}"`,
        `Use one of: ${Object.keys(NAMED_PREFERENCES).join(', ')}${p === 'monthly' ? ' ("monthly" is ambiguous: commitment-P1M or billed-monthly?)' : ''}.`,
      );
    }
  }
  const policy = policyFor({
    purpose,
    require: {
      commitmentTerm:
        commitment === undefined ? undefined : ((commitment === 'NONE' ? 'none' : commitment) as CommitmentTermChoice),
      billingTerm: billing as BillingTerm | undefined,
    },
    prefer: prefer as PreferenceName[] | undefined,
  });
  const company = { marketplaceIds: parseMarketplaceIds(env.global.company) };
  const listed = await listLicenseSubscriptions(env.ctx.marketplaces, company, options.license);
  const choice = selectSubscription(listed.subscriptions, policy);
  const s = choice.subscription;
  if (env.global.json) {
    writeJson(env.io.stdout, {
      subscription: withoutRaw(s, env.global.raw),
      reason: choice.reason,
      policy: choice.policy,
      warnings: choice.warnings,
    });
  } else {
    env.io.stdout.write(
      renderFields([
        ['provider', s.provider],
        ['customer', s.customerId],
        ['subscription', s.id],
        ['name', s.name],
        ['seats', s.quantity],
        ['billing', s.billingTerm],
        ['commitment', s.commitment?.term ?? 'none reported'],
        ['renews', s.renewalDate?.slice(0, 10)],
        ['policy', choice.policy],
        ['why', choice.reason],
      ]),
    );
    // Warnings are not notes: they are shown even with --quiet.
    for (const w of choice.warnings) env.io.stderr.write(`WARNING: ${w.message}\n`);
  }
  return EXIT.ok;
}
