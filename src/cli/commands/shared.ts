import { MarketplaceError } from '../../core/errors.js';
import type { CliContext, GlobalOptions, ProviderHandle } from '../context.js';
import { EXIT, type ExitCode, errorJson, exitCodeOf, formatError } from '../errors.js';
import type { CliIo } from '../io.js';

/** What a command handler gets. */
export interface CommandEnv {
  ctx: CliContext;
  io: CliIo;
  global: GlobalOptions;
}

/** Reports an error on stderr: a formatted message, or one JSON line with `--json`. */
export function reportError(env: Pick<CommandEnv, 'io' | 'global'>, error: unknown, prefix?: string): void {
  if (env.global.json) {
    env.io.stderr.write(`${JSON.stringify({ error: errorJson(error) })}\n`);
  } else {
    env.io.stderr.write(formatError(error, { debug: env.global.debug, prefix }));
  }
}

/** A note for people on stderr (silent with `--quiet` or `--json`). */
export function note(env: Pick<CommandEnv, 'io' | 'global'>, text: string): void {
  if (!env.global.quiet && !env.global.json) env.io.stderr.write(`${text}\n`);
}

/** Outcome of running something once per provider. */
export interface PerProviderOutcome {
  ok: number;
  failed: { handle: ProviderHandle; error: unknown }[];
}

/**
 * Runs `fn` for each provider; a failure is reported (`<provider>: error [...]`) and the others go on.
 * Errors that are not the vendor's fault (a bug) stop everything.
 */
export async function forEachProvider(
  env: CommandEnv,
  handles: readonly ProviderHandle[],
  fn: (handle: ProviderHandle) => Promise<void>,
): Promise<PerProviderOutcome> {
  const outcome: PerProviderOutcome = { ok: 0, failed: [] };
  for (const handle of handles) {
    try {
      await fn(handle);
      outcome.ok += 1;
    } catch (error) {
      if (!(error instanceof MarketplaceError)) throw error;
      outcome.failed.push({ handle, error });
      reportError(env, error, `${handle.entry.id}: error`);
    }
  }
  return outcome;
}

/** 0 when all went well, the failure's code when everything failed, 4 (partial) otherwise. */
export function outcomeExitCode(outcome: PerProviderOutcome): ExitCode {
  if (outcome.failed.length === 0) return EXIT.ok;
  if (outcome.ok === 0) return exitCodeOf(outcome.failed[0]!.error);
  return EXIT.partial;
}
