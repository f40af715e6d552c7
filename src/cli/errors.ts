import { MarketplaceError } from '../core/errors.js';

/** Exit codes of `msp-marketplace`. */
export const EXIT = {
  /** Everything worked. */
  ok: 0,
  /** A bug or an unexpected failure (not a typed SDK error). */
  internal: 1,
  /** Bad arguments, configuration or input; nothing was sent to a vendor. */
  usage: 2,
  /** A vendor or SDK error (authentication, not found, conflict, server, network...). */
  vendor: 3,
  /** Some of the work failed (e.g. one provider of a sync), the rest succeeded. */
  partial: 4,
  /** Interrupted by Ctrl-C (SIGINT, or Ctrl-C at a prompt): 128 + 2. */
  interrupted: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  terminated: 143,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in how the CLI was called or configured (exit code 2). */
export class CliUsageError extends Error {
  /** What to do about it. */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'CliUsageError';
    this.hint = hint;
  }
}

/** The exit code for an error: usage and SDK input/configuration errors are 2, other SDK errors 3, the rest 1. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliUsageError) return EXIT.usage;
  if (error instanceof MarketplaceError) {
    return error.kind === 'validation' || error.kind === 'configuration' ? EXIT.usage : EXIT.vendor;
  }
  return EXIT.internal;
}

/** The kind shown for an error: the SDK's `kind`, `usage` for CLI usage errors, else `unexpected`. */
export function errorKind(error: unknown): string {
  if (error instanceof MarketplaceError) return error.kind;
  if (error instanceof CliUsageError) return 'usage';
  return 'unexpected';
}

/** A JSON-safe description of an error (no stack, no cause, no secrets: SDK messages are redacted at the source). */
export function errorJson(error: unknown): Record<string, unknown> {
  if (error instanceof MarketplaceError) {
    return Object.fromEntries(Object.entries(error.toJSON()).filter(([, v]) => v !== undefined));
  }
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof CliUsageError ? error.hint : undefined;
  return { kind: errorKind(error), message, ...(hint ? { hint } : {}) };
}

/**
 * Formats an error for people: `error [kind] (provider, status): message` and a `hint:` line. The stack
 * (and the cause's) only with `debug`.
 */
export function formatError(error: unknown, options: { debug?: boolean | undefined; prefix?: string } = {}): string {
  const kind = errorKind(error);
  const message = error instanceof Error ? error.message : String(error);
  const where: string[] = [];
  let hint: string | undefined;
  if (error instanceof MarketplaceError) {
    if (error.provider) where.push(error.provider);
    if (error.operation) where.push(error.operation);
    if (error.status !== undefined) where.push(`HTTP ${error.status}`);
    if (error.requestId) where.push(`request ${error.requestId}`);
    hint = error.hint;
  } else if (error instanceof CliUsageError) {
    hint = error.hint;
  } else {
    hint = 'This looks like a bug in msp-marketplace; run again with --debug and report the output.';
  }
  const lines = [`${options.prefix ?? 'error'} [${kind}]${where.length ? ` (${where.join(', ')})` : ''}: ${message}`];
  if (hint) lines.push(`  hint: ${hint}`);
  if (options.debug && error instanceof Error && error.stack) {
    lines.push(error.stack);
    let cause = error.cause;
    while (cause instanceof Error) {
      lines.push(`caused by: ${cause.stack ?? cause.message}`);
      cause = cause.cause;
    }
  }
  return `${lines.join('\n')}\n`;
}
