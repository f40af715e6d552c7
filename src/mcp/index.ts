/**
 * `msp-marketplace-sdk/mcp`: the license operations as a Model Context Protocol server for AI agents, safe by
 * default. See docs/agents.md. Needs the optional peer dependency `@modelcontextprotocol/sdk`
 * (`npm install @modelcontextprotocol/sdk`): importing this entry without it fails with Node's
 * `ERR_MODULE_NOT_FOUND` naming that package.
 *
 * @module msp-marketplace-sdk/mcp
 */
export {
  createMarketplaceMcpServer,
  DEFAULT_MAX_SEATS_PER_SESSION,
  DEFAULT_MCP_ACTOR,
  type MarketplaceMcpServerOptions,
  type McpAuditEntry,
} from './server.js';
export { describeToolError, toolErrorResult, type McpToolError } from './errors.js';
export { serveStdio, type StdioStreams } from './stdio.js';
export type { McpGraphOption } from './tools/reconciliation.js';
