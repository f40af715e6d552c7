import { Command, CommanderError, Option } from 'commander';
import { RequestableBillingTermSchema, SubscriptionStatusSchema } from '../model/subscription.js';
import { cancelCommand, purchaseCommand, seatsCommand, type SeatsMode } from './commands/write.js';
import { type SelectCommandOptions, selectCommand } from './commands/select.js';
import {
  customersListCommand,
  productsListCommand,
  subscriptionGetCommand,
  subscriptionsListCommand,
  verifyCommand,
} from './commands/read.js';
import { type CommandEnv, reportError } from './commands/shared.js';
import { driftCommand, syncCommand } from './commands/sync.js';
import { registerReconciliationCommands } from './commands/reconcile.js';
import { configInitCommand, configShowCommand } from './commands/config.js';
import { defaultConfigPath } from './config.js';
import { type GlobalOptions, createContext } from './context.js';
import { EXIT, type ExitCode, exitCodeOf } from './errors.js';
import { type CliIo, scrubbedIo } from './io.js';
import { CLI_PROVIDERS } from './providers.js';
import { SDK_VERSION } from '../version.js';
import { NAMED_PREFERENCES } from '../workflows/select-subscription.js';

/** The CLI's version, shown by `--version`. */
export const CLI_VERSION = SDK_VERSION;

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function envHelp(): string {
  const lines = ['', 'Credentials (environment variables win over the config file):'];
  for (const p of CLI_PROVIDERS) {
    lines.push(`  ${p.label} (${p.id}):`);
    for (const f of p.fields) lines.push(`    ${f.env.padEnd(28)} ${f.required ? '' : '(optional) '}${f.description}`);
  }
  lines.push(
    '',
    'Exit codes: 0 ok, 1 unexpected error, 2 usage or configuration error, 3 vendor/SDK error, 4 partial failure.',
    'Docs: docs/cli.md',
  );
  return lines.join('\n');
}

/**
 * Builds the `msp-marketplace` program. Commands write to `io`; the exit code of the last action is passed to
 * `setExit`. Exposed for tests and for embedding; most callers want {@link runCli}.
 */
export function buildProgram(
  rawIo: CliIo,
  setExit: (code: ExitCode) => void,
  options: { json?: boolean | undefined } = {},
): Command {
  // Whatever a command, flag or error writes leaves scrubbed of secrets (core/redact.ts).
  const io = scrubbedIo(rawIo);
  const program = new Command('msp-marketplace');
  program
    .description('Customers, products, subscriptions and seats across Pax8, Sherweb, Ingram Micro and more.')
    .version(CLI_VERSION, '-V, --version')
    .exitOverride()
    // With --json, commander's own error text (and the help shown after it) is replaced by one JSON line (runCli).
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => (options.json ? undefined : io.stderr.write(s)),
    })
    .showHelpAfterError('(run with --help for usage)')
    .option('-p, --provider <ids>', 'only these providers (comma-separated or repeated)', collect)
    .option('-c, --company <marketplace-ids>', 'the company, as marketplace ids: PAX8:<uuid>;SHERWEB:<uuid>')
    .option('--config <file>', `config file (default ${defaultConfigPath(io)})`)
    .option('--mock', 'use the embedded fakes (no credentials, no network; needs the optional msw package)')
    .option('--json', 'machine-readable JSON output')
    .option('--raw', 'keep the vendor payload (`raw`) in JSON output')
    .option('-q, --quiet', 'no notes or progress on stderr')
    .option('--debug', 'show stack traces of errors')
    .addHelpText('after', envHelp());

  /** Wraps a handler: creates the clients, runs it, closes the fakes. */
  const withClients =
    <A extends unknown[]>(fn: (env: CommandEnv, ...args: A) => Promise<ExitCode>) =>
    async (...args: A) => {
      const global = program.opts<GlobalOptions>();
      const ctx = await createContext(global, io);
      try {
        setExit(await fn({ ctx, io, global }, ...args));
      } finally {
        ctx.close();
      }
    };

  program
    .command('verify')
    .description('check the credentials of each configured provider and show what they can see')
    .action(withClients((env) => verifyCommand(env)));

  program
    .command('customers')
    .description('customers')
    .command('list')
    .description('list the customers of every configured provider')
    .action(withClients((env) => customersListCommand(env)));

  program
    .command('products')
    .description('catalog')
    .command('list')
    .description('list products (Sherweb: per customer, pass --company SHERWEB:<id>)')
    .option('--search <text>', 'only products whose name or SKU contains this')
    .option('--customer <id>', 'the customer (marketplace id such as SHERWEB:<uuid>, or an id with --provider)')
    .action(withClients((env, opts: { search?: string; customer?: string }) => productsListCommand(env, opts)));

  const subscriptions = program.command('subscriptions').description('subscriptions');
  subscriptions
    .command('list')
    .description('list subscriptions')
    .option('--customer <id>', 'only this customer (marketplace id such as PAX8:<uuid>, or an id with --provider)')
    .option('--license <sku|name>', 'only this license: SKU, product id, name, or part of the name')
    .addOption(new Option('--status <status>', 'only this status').choices(SubscriptionStatusSchema.options))
    .action(
      withClients((env, opts: { customer?: string; license?: string; status?: string }) =>
        subscriptionsListCommand(env, opts),
      ),
    );

  subscriptions
    .command('get <subscription>')
    .description('show one subscription (e.g. to check whether an interrupted change was applied)')
    .option('--customer <id>', 'the customer (marketplace id such as PAX8:<uuid>, or an id with --provider)')
    .action(
      withClients((env, subscription: string, opts: { customer?: string }) =>
        subscriptionGetCommand(env, subscription, opts),
      ),
    );

  subscriptions
    .command('select')
    .description(
      'which subscription of a license a seat change should go to, and why (read-only). "Always the monthly subscription": --require-commitment P1M',
    )
    .requiredOption('--license <sku|name>', 'the license: SKU, product id or name')
    .addOption(new Option('--for <purpose>', 'the seat change to come').choices(['add', 'remove']).default('add'))
    .option(
      '--require-commitment <term>',
      'only subscriptions with this commitment: P1M (monthly: one month, or month-to-month), P1Y, P3Y, none',
    )
    .option(
      '--require-billing <term>',
      'only subscriptions billed this often (billing frequency only, not the commitment)',
    )
    .option('--prefer <names>', `preference order, comma-separated: ${Object.keys(NAMED_PREFERENCES).join(', ')}`)
    .action(withClients((env, opts: SelectCommandOptions) => selectCommand(env, opts)));

  const seats = program.command('seats').description('change the seat count of a subscription');
  const seatsHelp: Record<SeatsMode, [string, string]> = {
    set: ['<quantity>', 'set the seat count to <quantity>'],
    add: ['<count>', 'add <count> seats'],
    remove: ['<count>', 'remove <count> seats'],
  };
  for (const mode of ['set', 'add', 'remove'] as const) {
    const [arg, description] = seatsHelp[mode];
    seats
      .command(`${mode} <subscription> ${arg}`)
      .description(`${description} (asks for confirmation unless --yes)`)
      .option('--customer <id>', 'the customer (marketplace id, or an id with --provider); or use --company')
      .option('--if-current <n>', 'only if the subscription has exactly <n> seats now (else exit 3, nothing changed)')
      .option('--dry-run', 'check the change without making it')
      .option('-y, --yes', 'do not ask for confirmation')
      .action(
        withClients(
          (
            env,
            subscription: string,
            amount: string,
            opts: { customer?: string; ifCurrent?: string; dryRun?: boolean; yes?: boolean },
          ) => seatsCommand(env, mode, subscription, amount, opts),
        ),
      );
  }

  program
    .command('cancel <subscription>')
    .description('cancel a subscription (asks for confirmation unless --yes)')
    .option('--customer <id>', 'the customer (marketplace id, or an id with --provider); or use --company')
    .option('--effective-date <date>', 'when the cancellation takes effect (YYYY-MM-DD), where the vendor allows')
    .option('--dry-run', 'check the cancellation without making it')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      withClients(
        (
          env,
          subscription: string,
          opts: { customer?: string; effectiveDate?: string; dryRun?: boolean; yes?: boolean },
        ) => cancelCommand(env, subscription, opts),
      ),
    );

  program
    .command('purchase')
    .description('buy a product for a customer (asks for confirmation unless --yes)')
    .requiredOption('--product <id>', 'product id (see products list)')
    .requiredOption('--quantity <n>', 'number of seats')
    .addOption(
      new Option('--billing-term <term>', 'billing term')
        .choices(RequestableBillingTermSchema.options)
        .makeOptionMandatory(),
    )
    .option('--commitment-term <duration>', 'commitment as an ISO 8601 duration (P1M, P1Y, P3Y)')
    .option('--customer <id>', 'the customer (marketplace id, or an id with --provider); or use --company')
    .option('--dry-run', 'validate the order without placing it (by the vendor where it can)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      withClients(
        (
          env,
          opts: {
            product: string;
            quantity: string;
            billingTerm: string;
            commitmentTerm?: string;
            customer?: string;
            dryRun?: boolean;
            yes?: boolean;
          },
        ) => purchaseCommand(env, opts),
      ),
    );

  program
    .command('sync')
    .description('every customer and subscription of every configured provider, as JSON lines')
    .option('-o, --output <file>', 'write to this file (default: stdout); replaced only when the sync finished')
    .option('--resume', 'continue the interrupted sync of --output from its checkpoint')
    .action(withClients((env, opts: { output?: string; resume?: boolean }) => syncCommand(env, opts)));

  program
    .command('drift <from> <to>')
    .description('what changed between two sync files (added, removed, seat and status changes)')
    .action(async (from: string, to: string) => {
      setExit(await driftCommand({ io, global: program.opts<GlobalOptions>() }, from, to));
    });

  const configCmd = program.command('config').description('the config file: create it, or show it with secrets masked');
  configCmd
    .command('init')
    .description('create or update the config file interactively, one provider at a time (connection verified)')
    .action(async () => {
      setExit(await configInitCommand({ io, global: program.opts<GlobalOptions>() }));
    });
  configCmd
    .command('show')
    .description('show the settings in use and where each comes from (env or file), secrets masked')
    .action(async () => {
      setExit(await configShowCommand({ io, global: program.opts<GlobalOptions>() }));
    });

  registerReconciliationCommands(program, withClients, io, setExit);

  program
    .command('mcp')
    .description(
      'serve the license tools to AI agents over MCP on stdio (dry runs unless --enable-writes; docs/agents.md)',
    )
    .option('--enable-writes', 'make real changes (default: every write is a dry run)')
    .option('--read-only', 'refuse every write tool')
    .option('--max-seats-per-session <n>', 'most seats the session may change in total (default 10)')
    .action(async (opts: { enableWrites?: boolean; readOnly?: boolean; maxSeatsPerSession?: string }) => {
      const { mcpCommand } = await import('../mcp/command.js');
      setExit(await mcpCommand({ io, global: program.opts<GlobalOptions>() }, opts, CLI_VERSION));
    });

  return program;
}

/** Whether `--json` is among the options (before a `--` that ends them). */
export function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** An argument error of commander in the CLI's JSON error shape (`kind: "usage"`, commander's code). */
function commanderErrorJson(error: CommanderError): Record<string, unknown> {
  // `commander.help`: a command group without its subcommand (commander printed the help, silenced here).
  const message =
    error.code === 'commander.help'
      ? 'A subcommand is missing'
      : error.message.replace(/^error:\s*/i, '').trim() || 'Invalid arguments';
  return { kind: 'usage', message, code: error.code, hint: 'See the usage with --help (also per command).' };
}

/**
 * Runs the CLI in-process: `argv` without the node and script paths (`['customers', 'list', '--mock']`).
 * Resolves to the exit code; never calls `process.exit`. Errors are printed on `io.stderr` with their kind,
 * message and hint (stack only with `--debug`).
 */
export async function runCli(argv: readonly string[], rawIo: CliIo): Promise<ExitCode> {
  const io = scrubbedIo(rawIo);
  let code: ExitCode = EXIT.ok;
  // Known before commander parses anything, so its own argument errors can be JSON too.
  const json = jsonRequested(argv);
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    { json },
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; everything else commander rejects is a usage error (already printed).
      if (error.exitCode === 0) return EXIT.ok;
      if (json) io.stderr.write(`${JSON.stringify({ error: commanderErrorJson(error) })}\n`);
      return EXIT.usage;
    }
    const global = program.opts<GlobalOptions>();
    reportError({ io, global }, error);
    return exitCodeOf(error);
  }
}
