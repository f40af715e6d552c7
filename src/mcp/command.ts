import type { GlobalOptions } from '../cli/context.js';
import { createContext } from '../cli/context.js';
import { loadConfig } from '../cli/config.js';
import { CliUsageError, EXIT, type ExitCode } from '../cli/errors.js';
import type { CliIo } from '../cli/io.js';
import { type GraphClient, createGraphClient } from '../graph/client.js';
import { ensureMcpSdk } from './load-sdk.js';
import type { McpGraphOption } from './tools/reconciliation.js';

/** Options of `msp-marketplace mcp`. */
export interface McpCommandOptions {
  enableWrites?: boolean | undefined;
  readOnly?: boolean | undefined;
  maxSeatsPerSession?: string | undefined;
}

/**
 * `msp-marketplace mcp`: the MCP server on stdio, with the CLI's providers, credentials and `--mock`. Runs until
 * the client closes stdin. stdout carries MCP messages only; notes and audit lines go to stderr.
 */
export async function mcpCommand(
  env: { io: CliIo; global: GlobalOptions },
  opts: McpCommandOptions,
  version: string,
): Promise<ExitCode> {
  const { io, global } = env;
  if (global.json || global.raw) throw new CliUsageError('--json and --raw do not apply to mcp');
  if (opts.enableWrites && opts.readOnly) {
    throw new CliUsageError('Give --enable-writes or --read-only, not both');
  }
  let maxSeatsPerSession: number | undefined;
  if (opts.maxSeatsPerSession !== undefined) {
    const text = opts.maxSeatsPerSession.trim();
    maxSeatsPerSession = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(maxSeatsPerSession)) {
      throw new CliUsageError(
        `--max-seats-per-session must be a whole number of seats, not "${opts.maxSeatsPerSession}"`,
        'Example: --max-seats-per-session 10',
      );
    }
  }
  // The MCP SDK is an optional peer: checked (with the install command if absent) before the modules that import
  // it are loaded; nothing else in the CLI loads them.
  await ensureMcpSdk();
  const { DEFAULT_MAX_SEATS_PER_SESSION, DEFAULT_MCP_ACTOR, createMarketplaceMcpServer } = await import('./server.js');
  const { serveStdio, toWritable } = await import('./stdio.js');
  maxSeatsPerSession ??= DEFAULT_MAX_SEATS_PER_SESSION;
  const ctx = await createContext(global, io);
  try {
    // createContext already read (and checked) the config file; only its actor is needed here.
    const actor = global.mock ? DEFAULT_MCP_ACTOR : (loadConfig(global.config, io).config.actor ?? DEFAULT_MCP_ACTOR);
    const server = createMarketplaceMcpServer({
      marketplaces: ctx.marketplaces,
      enableWrites: opts.enableWrites === true,
      readOnly: opts.readOnly === true,
      maxSeatsPerSession,
      actor,
      version,
      audit: (entry) => io.stderr.write(`audit ${JSON.stringify(entry)}\n`),
      graph: await graphOption(global, io),
    });
    if (!global.quiet) {
      const mode = opts.readOnly ? 'read-only' : opts.enableWrites ? 'WRITES ENABLED' : 'dry-run';
      io.stderr.write(
        `msp-marketplace mcp: serving on stdio; providers ${ctx.marketplaces.providers.join(', ')}${global.mock ? ' (embedded fakes)' : ''}; ${mode}; at most ${maxSeatsPerSession} seats per session\n`,
      );
    }
    await serveStdio(server, { stdin: io.stdin ?? process.stdin, stdout: toWritable(io.stdout) });
    return EXIT.ok;
  } finally {
    ctx.close();
  }
}

/**
 * Graph for the reconciliation and assignment tools, per customer tenant: the embedded fake with `--mock`, else an
 * app from GRAPH_CLIENT_ID / GRAPH_CLIENT_SECRET (allowed in the customer's tenant, e.g. through GDAP); without
 * them the tools say that Graph is not configured.
 */
async function graphOption(global: GlobalOptions, io: CliIo): Promise<McpGraphOption | undefined> {
  const clients = new Map<string, GraphClient>();
  const cached = (tenantId: string, make: () => GraphClient) => {
    const known = clients.get(tenantId);
    if (known) return known;
    const client = make();
    clients.set(tenantId, client);
    return client;
  };
  if (global.mock) {
    const { GRAPH_FAKE_CREDENTIALS } = await import('../testing/graph/fake.js');
    return (tenantId) =>
      cached(tenantId, () =>
        createGraphClient({ rateLimit: false, credentials: { ...GRAPH_FAKE_CREDENTIALS, tenantId } }),
      );
  }
  const clientId = io.env.GRAPH_CLIENT_ID;
  const clientSecret = io.env.GRAPH_CLIENT_SECRET;
  if (!clientId || !clientSecret) return undefined;
  const baseUrl = io.env.GRAPH_BASE_URL;
  return (tenantId) =>
    cached(tenantId, () =>
      createGraphClient({ credentials: { tenantId, clientId, clientSecret }, ...(baseUrl ? { baseUrl } : {}) }),
    );
}
