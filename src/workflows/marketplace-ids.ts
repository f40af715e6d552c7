import { ValidationError, type ValidationIssue } from '../core/errors.js';
import type { ProviderId } from '../model/common.js';

/** The prefix of each marketplace in a company's marketplace ids, and the provider it stands for. */
export const MARKETPLACE_ID_PREFIXES = {
  PAX8: 'pax8',
  D_AND_H: 'dandh',
  INGRAM_MICRO: 'ingram',
  SHERWEB: 'sherweb',
  MICROSOFT_PARTNER_CENTER: 'partner-center',
  TD_SYNNEX: 'td-synnex',
} as const satisfies Record<string, ProviderId>;

/** A marketplace id prefix (`PAX8`, `D_AND_H`, `INGRAM_MICRO`, `SHERWEB`, `MICROSOFT_PARTNER_CENTER`, `TD_SYNNEX`). */
export type MarketplaceIdPrefix = keyof typeof MARKETPLACE_ID_PREFIXES;

/** One company-to-marketplace mapping: which provider, and the customer's id there. */
export interface MarketplaceId {
  /** The SDK provider id (`pax8`, `dandh`, ...). */
  provider: ProviderId;
  /** The prefix as written in the id (`PAX8`, `D_AND_H`, ...). */
  prefix: MarketplaceIdPrefix;
  /** The customer's id in that marketplace (for Microsoft Partner Center: the customer's tenant id). */
  customerId: string;
}

const PREFIX_BY_PROVIDER = Object.fromEntries(
  Object.entries(MARKETPLACE_ID_PREFIXES).map(([prefix, provider]) => [provider, prefix]),
) as Record<ProviderId, MarketplaceIdPrefix>;

/** Providers whose customer ids are UUIDs (Pax8 company ids, Partner Center tenant ids). */
const UUID_PROVIDERS: ReadonlySet<ProviderId> = new Set<ProviderId>(['pax8', 'partner-center']);

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Printable, no separators (`;`, `,`, whitespace) and no control characters.
const ID_RE = /^[^\s;,\p{Cc}]+$/u;
const MAX_ID_LENGTH = 256;

/** Characters that separate ids in one cell or string: `;`, `,` and any whitespace. */
const SEPARATORS = /[;,\s]+/u;

function prefixList(): string {
  return Object.keys(MARKETPLACE_ID_PREFIXES).join(', ');
}

/** Why one token is not a marketplace id, or undefined when it is fine. */
function problemOf(token: string): { id?: MarketplaceId; problem?: string } {
  const colon = token.indexOf(':');
  if (colon <= 0) {
    return { problem: `"${token}" is not PREFIX:id (prefixes: ${prefixList()})` };
  }
  const rawPrefix = token.slice(0, colon);
  const prefix = rawPrefix.toUpperCase().replace(/-/g, '_');
  if (!Object.hasOwn(MARKETPLACE_ID_PREFIXES, prefix)) {
    return { problem: `unknown marketplace prefix "${rawPrefix}" in "${token}" (known: ${prefixList()})` };
  }
  const p = prefix as MarketplaceIdPrefix;
  const provider = MARKETPLACE_ID_PREFIXES[p];
  const customerId = token.slice(colon + 1).trim();
  if (customerId === '') return { problem: `"${token}" has an empty ${p} id` };
  if (customerId.length > MAX_ID_LENGTH) return { problem: `the ${p} id in "${token.slice(0, 40)}…" is too long` };
  if (!ID_RE.test(customerId)) return { problem: `the ${p} id "${customerId}" contains characters an id cannot have` };
  if (UUID_PROVIDERS.has(provider)) {
    if (!UUID_RE.test(customerId)) {
      const what = provider === 'partner-center' ? 'a Microsoft tenant id (a UUID)' : 'a UUID';
      return { problem: `the ${p} id "${customerId}" is not ${what}, e.g. ${p}:7b1f2d34-5c6e-4f80-9a1b-2c3d4e5f6a7b` };
    }
    return { id: { provider, prefix: p, customerId: customerId.toLowerCase() } };
  }
  return { id: { provider, prefix: p, customerId } };
}

/**
 * Parses one marketplace id such as `PAX8:7b1f2d34-5c6e-4f80-9a1b-2c3d4e5f6a7b` or `SHERWEB:abc123`.
 * Prefixes are matched case-insensitively (`pax8:` works); UUIDs (Pax8, Partner Center) are lower-cased.
 * Throws {@link ValidationError} for an unknown prefix, an empty id or a malformed UUID.
 */
export function parseMarketplaceId(text: string): MarketplaceId {
  if (typeof text !== 'string') {
    throw new ValidationError('Invalid marketplace id: must be a string', [
      { path: 'id', message: 'must be a string' },
    ]);
  }
  const token = text.trim();
  const { id, problem } = problemOf(token);
  if (!id) {
    throw new ValidationError(`Invalid marketplace id: ${problem}`, [{ path: 'id', message: problem ?? 'invalid' }]);
  }
  return id;
}

/**
 * Parses every marketplace id in `input`: one string with ids separated by `;`, `,` or whitespace, or an
 * array of such strings. Exact duplicates are dropped (first kept). Every bad id is named in one
 * {@link ValidationError} (its `issues` list one entry per bad id, path `ids[<position>]`).
 */
export function parseMarketplaceIds(input: string | readonly string[]): MarketplaceId[] {
  if (typeof input !== 'string' && !Array.isArray(input)) {
    throw new ValidationError('Invalid marketplace ids: expected a string or an array of strings', [
      { path: 'ids', message: 'must be a string or an array of strings' },
    ]);
  }
  const parts = (typeof input === 'string' ? [input] : input).flatMap((s) =>
    typeof s === 'string' ? s.split(SEPARATORS) : [String(s)],
  );
  const tokens = parts.map((t) => t.trim()).filter((t) => t !== '');
  const ids: MarketplaceId[] = [];
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  tokens.forEach((token, i) => {
    const { id, problem } = problemOf(token);
    if (!id) {
      issues.push({ path: `ids[${i}]`, message: problem ?? 'invalid' });
      return;
    }
    const key = formatMarketplaceId(id);
    if (seen.has(key)) return;
    seen.add(key);
    ids.push(id);
  });
  if (issues.length) {
    throw new ValidationError(`Invalid marketplace ids: ${issues.map((x) => x.message).join('; ')}`, issues);
  }
  return ids;
}

/** Formats a mapping back as `PREFIX:id` (e.g. `{ provider: 'dandh', customerId: '123' }` -> `D_AND_H:123`). */
export function formatMarketplaceId(id: Pick<MarketplaceId, 'provider' | 'customerId'>): string {
  const prefix = PREFIX_BY_PROVIDER[id.provider];
  if (!prefix) {
    throw new ValidationError(`Unknown provider "${String(id.provider)}"`, [
      { path: 'provider', message: `must be one of ${Object.keys(PREFIX_BY_PROVIDER).join(', ')}` },
    ]);
  }
  return `${prefix}:${id.customerId}`;
}

/** Formats several mappings as one cell (`PAX8:...;SHERWEB:...`). */
export function formatMarketplaceIds(ids: readonly Pick<MarketplaceId, 'provider' | 'customerId'>[]): string {
  return ids.map(formatMarketplaceId).join(';');
}

/** The marketplace id prefix of a provider (`partner-center` -> `MICROSOFT_PARTNER_CENTER`). */
export function marketplaceIdPrefix(provider: ProviderId): MarketplaceIdPrefix {
  return PREFIX_BY_PROVIDER[provider];
}
