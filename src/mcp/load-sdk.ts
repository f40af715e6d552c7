import { ConfigurationError } from '../core/errors.js';
import { optionalImport } from '../core/optional-import.js';

/** What to run when the MCP SDK is missing. */
export const MCP_SDK_INSTALL_HINT =
  'npm install @modelcontextprotocol/sdk (an optional peer dependency: only `msp-marketplace mcp` and `msp-marketplace-sdk/mcp` need it; with npx: npx -p msp-marketplace-sdk -p @modelcontextprotocol/sdk msp-marketplace mcp)';

/**
 * Checks that `@modelcontextprotocol/sdk`, an optional peer, can be loaded, by a name bundlers do not follow
 * (core/optional-import.ts): the CLI bundle and every other entry never load it, so users who never run MCP do
 * not install it (about 100 packages with express and hono). Throws a ConfigurationError with the install
 * command when it is absent; any other load failure keeps its own message as the cause.
 */
export async function ensureMcpSdk(): Promise<void> {
  try {
    await optionalImport<unknown>('@modelcontextprotocol/sdk/server/mcp.js');
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    throw new ConfigurationError(
      missing
        ? 'The MCP server needs the package @modelcontextprotocol/sdk, which is not installed'
        : `The MCP server could not load @modelcontextprotocol/sdk: ${cause instanceof Error ? cause.message : String(cause)}`,
      { operation: 'mcp', cause, hint: MCP_SDK_INSTALL_HINT },
    );
  }
}
