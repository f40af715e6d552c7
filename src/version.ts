/**
 * This package's version. Kept equal to package.json by `npm run version-packages` (scripts/sync-version.mjs)
 * and checked by test/version.test.ts, so the user agent, the CLI's `--version` and the MCP server name the
 * release that is actually running.
 */
export const SDK_VERSION = '0.1.0';
