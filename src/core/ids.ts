/**
 * Ids go into URL paths. A URL parser turns `.` and `..` segments (also written `%2e`) into "this folder" and
 * "the parent folder", so an id `..` would send `GET /v1/subscriptions/..` to `GET /v1/`: another resource.
 * These checks refuse such ids before any request, for every id kind; the transport checks every request path
 * again (see http.ts), so an id that reached a path by another way is refused too.
 */

/** Longest id accepted: vendor ids are GUIDs (36), integers (<= 19 digits) or short codes; MPNs stay under 100. */
export const MAX_ID_LENGTH = 256;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const PERCENT_ESCAPE = /%[0-9a-f]{2}/i;
/** A request path every check of {@link requestPathProblem} passes: see its fast path. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~!$&'()*+,;=:@-][A-Za-z0-9_~!$&'()*+,;=:@.%-]*)+$/;

function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'must not have an empty part';
  if (segment === '.' || segment === '..') return 'must not be "." or ".."';
  return undefined;
}

/**
 * What is wrong with `id` as an id that goes into a URL path, or undefined when nothing is. With
 * `allowSlash`, `/` separates parts of a composite id (TD SYNNEX `product/sku/plan`), each checked like an id.
 */
export function idProblem(id: string, options: { allowSlash?: boolean } = {}): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (id.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`;
  if (CONTROL.test(id)) return 'must not contain control characters';
  if (/[?#\\]/.test(id) || (!options.allowSlash && id.includes('/'))) {
    return options.allowSlash ? 'must not contain "?", "#" or "\\"' : 'must not contain "/", "?", "#" or "\\"';
  }
  if (PERCENT_ESCAPE.test(id))
    return 'must not contain percent-encoded characters (give the id as the vendor shows it)';
  for (const part of options.allowSlash ? id.split('/') : [id]) {
    const p = segmentProblem(part);
    if (p) return p;
  }
  return undefined;
}

/**
 * What is wrong with a request path the transport is about to send (already URL-encoded by the provider), or
 * undefined: dot segments (plain or `%2e`), empty segments (`//`, a trailing `/` after an empty id), control
 * characters and backslashes. Only the part before `?` is checked.
 */
export function requestPathProblem(path: string): string | undefined {
  const q = path.indexOf('?');
  const p = q === -1 ? path : path.slice(0, q);
  // Fast path (issue 21): non-empty segments of plain URL characters, none starting with "." or "%" (so none is
  // "." or ".." in any spelling), no control character or backslash. Anything else takes the checks below.
  if (PLAIN_PATH.test(p)) return undefined;
  if (CONTROL.test(p)) return 'contains control characters';
  if (p.includes('\\')) return 'contains a backslash';
  if (p === '/' || p === '') return undefined;
  const segments = p.split('/');
  // A leading "/" gives an empty first segment; everything after it must be a real segment.
  for (let i = p.startsWith('/') ? 1 : 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s === '') return 'has an empty segment (an empty id?)';
    const dots = s.replace(/%2e/gi, '.');
    if (dots === '.' || dots === '..') return 'has a "." or ".." segment';
  }
  return undefined;
}
