import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MarketplaceError } from '../core/errors.js';
import { scrubError, scrubValue } from '../core/redact.js';

/** An error as a tool returns it: the typed error's kind, message and hint, plus what helps act on it. Never a stack. */
export interface McpToolError {
  /** The SDK's error kind (`validation`, `conflict`, `read-only`, ...), or `internal` for a bug. */
  kind: string;
  message: string;
  hint?: string | undefined;
  provider?: string | undefined;
  operation?: string | undefined;
  status?: number | undefined;
  code?: string | undefined;
  requestId?: string | undefined;
  retryable?: boolean | undefined;
  /** Every bad input field (`validation`). */
  issues?: unknown;
  /** What was expected and found (`conflict`: the seat count given as `ifCurrent` and the current one). */
  expected?: unknown;
  actual?: unknown;
  /** Why each subscription was not eligible (`select_subscription` without a choice). */
  rejected?: unknown;
}

const KEPT = [
  'kind',
  'message',
  'hint',
  'provider',
  'operation',
  'status',
  'code',
  'requestId',
  'retryable',
  'issues',
  'expected',
  'actual',
  'rejected',
] as const;

/**
 * Describes an error for an agent. SDK errors keep their `kind`, message, hint and the fields that help (request
 * id, validation issues, expected/actual); the result is scrubbed by `toolErrorResult`. Anything else is an
 * `internal` error with its message only.
 */
export function describeToolError(error: unknown): McpToolError {
  if (error instanceof MarketplaceError) {
    const json = error.toJSON();
    const out: Record<string, unknown> = {};
    for (const key of KEPT) {
      const v = json[key];
      if (v === undefined || v === null || (key === 'retryable' && v === false)) continue;
      out[key] = v;
    }
    return out as unknown as McpToolError;
  }
  return {
    kind: 'internal',
    message: error instanceof Error ? error.message : String(error),
    hint: 'This looks like a bug in the msp-marketplace MCP server; nothing more is known. Report it with the server log.',
  };
}

/** A tool result for an error: `isError`, the error in `structuredContent.error`, and `kind: message` + hint as text. */
export function toolErrorResult(error: unknown): CallToolResult {
  // Scrubbed of every live client's secrets whoever threw it (core/redact.ts), for custom tools too.
  const e = scrubValue(describeToolError(scrubError(error)));
  const text = `error [${e.kind}]: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`;
  return { isError: true, content: [{ type: 'text', text }], structuredContent: { error: e } };
}
