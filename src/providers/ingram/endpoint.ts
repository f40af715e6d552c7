import { ConfigurationError } from '../../core/errors.js';

/**
 * Where an Ingram Micro Cloud Marketplace account lives: the regional API base URL and the country
 * marketplace code sent with every token request. Resolved once, before any call.
 */
export interface IngramEndpoint {
  /** `https://api.cloud.im/marketplace/<region>`, or the base URL given as is. */
  baseUrl: string;
  /** The API region (`na`, `eu`, `uk`, `oc`, ...), or null for a custom base URL on another host (proxy, test server). */
  region: string | null;
  /** The marketplace code, lower case (`us`, `ca`, `nl`, ...). */
  marketplace: string;
  /** Set when the base URL was inferred for a region without published evidence (`uk`, `oc`): say so to the user. */
  warning: string | null;
}

/** What {@link resolveIngramEndpoint} accepts: at least one of `region`, `baseUrl`, `controlPanelUrl`, plus the marketplace. */
export interface IngramEndpointInput {
  /** `na` (alias `us`), `eu`, `uk` or `oc`. */
  region?: string | undefined;
  /** The API URL shown on the portal's Marketplace API page, e.g. `https://api.cloud.im/marketplace/eu`. */
  baseUrl?: string | undefined;
  /** The control-panel URL you log in with, `cp.<marketplace>.<region>.cloud.im` (with or without `https://`). */
  controlPanelUrl?: string | undefined;
  /** The country marketplace code (`us`, `ca`, `nl`, ...); may be left out when `controlPanelUrl` gives it. */
  marketplace?: string | undefined;
}

const API_HOST = 'api.cloud.im';
const LAB_HOST = 'api-lab.cloud.im';

/** Regions whose API URL is evidenced by the vendor or working clients. */
const KNOWN_REGIONS = new Set(['na', 'eu']);
/** Regions users know from their portal whose API URL is inferred, not published. */
const INFERRED_REGIONS = new Set(['uk', 'oc']);
/** Names users type for a region. */
const REGION_ALIASES: Record<string, string> = { us: 'na', na: 'na', eu: 'eu', uk: 'uk', oc: 'oc' };

const EU_COUNTRIES = [
  'at',
  'be',
  'bg',
  'hr',
  'cy',
  'cz',
  'dk',
  'ee',
  'fi',
  'fr',
  'de',
  'gr',
  'hu',
  'ie',
  'it',
  'lv',
  'lt',
  'lu',
  'mt',
  'nl',
  'pl',
  'pt',
  'ro',
  'sk',
  'si',
  'es',
  'se',
];

/** The region of the marketplaces whose region is known; any other code is accepted unchecked. */
export const INGRAM_MARKETPLACE_REGIONS: Readonly<Record<string, string>> = Object.freeze({
  us: 'na',
  ca: 'na',
  au: 'oc',
  nz: 'oc',
  uk: 'uk',
  eu: 'eu',
  ...Object.fromEntries(EU_COUNTRIES.map((c) => [c, 'eu'])),
});

/** The regional API base URL. */
export function ingramRegionUrl(region: string): string {
  return `https://${API_HOST}/marketplace/${region}`;
}

function fail(message: string, hint: string): never {
  throw new ConfigurationError(`ingram: ${message}`, { provider: 'ingram', operation: 'configure', hint });
}

const REGION_HINT =
  'Pass region (na, eu, uk or oc; us means na), the API URL from the portal (Xvantage > My Business > Cloud Services > Marketplace API), or the control-panel URL you log in with (cp.<marketplace>.<region>.cloud.im).';

function text(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(`${name} must be a string (got ${typeof value})`, REGION_HINT);
  const t = value.trim();
  if (t === '') fail(`${name} is empty`, REGION_HINT);
  return t;
}

function normalizeRegion(value: string, source: string): string {
  const r = REGION_ALIASES[value.toLowerCase()];
  if (!r) {
    fail(
      `unknown region ${JSON.stringify(value)} in ${source} (known: na, eu, uk, oc; us means na)`,
      `${REGION_HINT} For a region not listed, pass the exact API URL from the portal as baseUrl.`,
    );
  }
  return r;
}

/** Reads `cp.<marketplace>.<region>.cloud.im` (scheme and path optional). */
function parseControlPanel(value: string): { marketplace: string; region: string } {
  let host: string;
  try {
    host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`).hostname.toLowerCase();
  } catch {
    return fail(`controlPanelUrl ${JSON.stringify(value)} is not a URL or host name`, REGION_HINT);
  }
  const m = /^cp\.([a-z0-9-]+)\.([a-z0-9-]+)\.cloud\.im$/.exec(host);
  if (!m) {
    return fail(
      `controlPanelUrl ${JSON.stringify(value)} is not of the form cp.<marketplace>.<region>.cloud.im (e.g. cp.us.na.cloud.im)`,
      'Copy the host name of the reseller control panel you log in to, or pass region and marketplace instead.',
    );
  }
  return { marketplace: m[1]!, region: normalizeRegion(m[2]!, 'controlPanelUrl') };
}

/** Reads a base URL: `https://api.cloud.im/marketplace/<region>` gives the region; other hosts are taken as is. */
function parseBaseUrl(value: string): { baseUrl: string; region: string | null } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`baseUrl ${JSON.stringify(value)} is not a URL`, REGION_HINT);
  }
  const host = url.hostname.toLowerCase();
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(host);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    fail(`baseUrl must be an https URL (got ${JSON.stringify(value)})`, REGION_HINT);
  }
  if (url.search || url.hash)
    fail(`baseUrl must not carry a query or fragment (got ${JSON.stringify(value)})`, REGION_HINT);
  if (/^cp\.[^.]+\.[^.]+\.cloud\.im$/.test(host)) {
    fail(
      `baseUrl ${JSON.stringify(value)} is the control-panel (web) address, not the API`,
      'Pass it as controlPanelUrl instead, or pass the API URL from the Marketplace API page (https://api.cloud.im/marketplace/<region>).',
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (host === API_HOST || host === LAB_HOST) {
    const m = /^\/marketplace\/([a-z0-9-]+)$/i.exec(path);
    if (!m) {
      fail(
        `baseUrl ${JSON.stringify(value)} is not a Marketplace API URL (expected https://${host}/marketplace/<region>)`,
        REGION_HINT,
      );
    }
    const segment = m[1]!.toLowerCase();
    if (segment === 'us') {
      fail(
        `baseUrl ${JSON.stringify(value)} names region "us", but the North America API URL is ${ingramRegionUrl('na')}`,
        'Use https://api.cloud.im/marketplace/na (us is the marketplace code, na the region), or pass region: "us".',
      );
    }
    return { baseUrl: `${url.origin}/marketplace/${segment}`, region: segment };
  }
  return { baseUrl: `${url.origin}${path}`, region: null };
}

/**
 * Resolves the API base URL, region and marketplace from what the user has (a region code, the portal's API
 * URL, or the control-panel URL). Every refused input is a `ConfigurationError` with a hint; nothing is
 * guessed silently: a base URL inferred for a region without published evidence comes with a `warning`.
 */
export function resolveIngramEndpoint(input: IngramEndpointInput): IngramEndpoint {
  if (!input || typeof input !== 'object') fail('endpoint options are required', REGION_HINT);
  const regionText = text('region', input.region);
  const baseUrlText = text('baseUrl', input.baseUrl);
  const cpText = text('controlPanelUrl', input.controlPanelUrl);
  let marketplace = text('marketplace', input.marketplace)?.toLowerCase();

  const fromRegion = regionText === undefined ? undefined : normalizeRegion(regionText, 'region');
  const fromCp = cpText === undefined ? undefined : parseControlPanel(cpText);
  const fromUrl = baseUrlText === undefined ? undefined : parseBaseUrl(baseUrlText);
  if (!fromRegion && !fromCp && !fromUrl) {
    fail('no region: pass region, baseUrl or controlPanelUrl', REGION_HINT);
  }

  // An explicit baseUrl (from the reseller's own portal) wins: a region named elsewhere that disagrees is reported
  // as a warning, never a refusal. Without a baseUrl, region and controlPanelUrl must agree.
  const warnings: string[] = [];
  const named: Array<[string, string]> = [];
  if (fromUrl?.region) named.push(['baseUrl', fromUrl.region]);
  if (fromRegion) named.push(['region', fromRegion]);
  if (fromCp) named.push(['controlPanelUrl', fromCp.region]);
  for (const [source, r] of named.slice(1)) {
    if (r === named[0]![1]) continue;
    if (fromUrl) {
      warnings.push(`${source} says region ${r} but the baseUrl given is ${fromUrl.baseUrl}: the baseUrl is used.`);
    } else {
      fail(
        `${named[0]![0]} says region ${named[0]![1]} but ${source} says ${r}`,
        'Pass one of them, or make them agree.',
      );
    }
  }
  const region = named[0]?.[1] ?? null;

  if (fromCp) {
    if (marketplace !== undefined && marketplace !== fromCp.marketplace) {
      fail(
        `marketplace ${JSON.stringify(marketplace)} differs from the control-panel URL's marketplace ${JSON.stringify(fromCp.marketplace)}`,
        'Leave marketplace out to use the one in controlPanelUrl, or correct one of them.',
      );
    }
    marketplace = fromCp.marketplace;
  }
  if (marketplace === undefined) {
    fail(
      'marketplace is required (Ingram refuses tokens without it)',
      'Pass marketplace: your country marketplace code, e.g. "us" or "ca" (region na), "nl", "de", "se" (region eu). It is the first label of your control-panel URL cp.<marketplace>.<region>.cloud.im.',
    );
  }
  if (!/^[a-z][a-z0-9-]{1,15}$/.test(marketplace)) {
    fail(
      `marketplace ${JSON.stringify(marketplace)} is not a marketplace code`,
      'Pass the short code, e.g. "us", "ca", "nl", "uk" (the first label of cp.<marketplace>.<region>.cloud.im).',
    );
  }
  // The marketplace -> region table is our inference, not Ingram's: a mismatch warns, it never refuses.
  const expected = INGRAM_MARKETPLACE_REGIONS[marketplace];
  if (region !== null && expected !== undefined && expected !== region) {
    warnings.push(
      `marketplace ${marketplace} is usually in region ${expected} (${ingramRegionUrl(expected)}), not ${region}; ` +
        'using what was given. If token requests fail, check the marketplace code and the API URL in the portal.',
    );
  }
  const warning = () => (warnings.length > 0 ? warnings.join(' ') : null);

  if (fromUrl) return { baseUrl: fromUrl.baseUrl, region, marketplace, warning: warning() };
  const r = region!;
  const baseUrl = ingramRegionUrl(r);
  if (INFERRED_REGIONS.has(r)) {
    warnings.push(
      `The API URL ${baseUrl} for region ${r} is inferred: Ingram publishes only the na and eu URLs. ` +
        'If calls fail with 404, copy the API URL from the portal (Xvantage > My Business > Cloud Services > Marketplace API) and pass it as baseUrl.',
    );
  } else if (!KNOWN_REGIONS.has(r)) {
    fail(`unknown region ${r}`, REGION_HINT);
  }
  return { baseUrl, region: r, marketplace, warning: warning() };
}
