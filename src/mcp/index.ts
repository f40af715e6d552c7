/**
 * `msp-marketplace-sdk/mcp`: the license operations as a Model Context Protocol server for AI agents, safe by
 * default. See docs/agents.md.
 * @packageDocumentation
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
