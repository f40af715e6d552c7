/**
 * ISO 3166-1 alpha-2 country codes from what vendors send: a code already (`US`, `us`), an alpha-3 code
 * (`USA`), or an English name (`United States`, `United Kingdom`). Names are matched through the runtime's
 * `Intl.DisplayNames` plus a few common aliases; anything unrecognised gives null (the vendor's text stays in
 * `rawCountry`).
 */

/** Common names and alpha-3 codes `Intl.DisplayNames` does not give. */
const ALIASES: Record<string, string> = {
  usa: 'US',
  'united states of america': 'US',
  'u.s.a.': 'US',
  'u.s.': 'US',
  america: 'US',
  uk: 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  gbr: 'GB',
  can: 'CA',
  aus: 'AU',
  nzl: 'NZ',
  irl: 'IE',
  deu: 'DE',
  fra: 'FR',
  nld: 'NL',
  bel: 'BE',
  esp: 'ES',
  ita: 'IT',
  che: 'CH',
  aut: 'AT',
  swe: 'SE',
  nor: 'NO',
  dnk: 'DK',
  fin: 'FI',
  pol: 'PL',
  prt: 'PT',
  mex: 'MX',
  bra: 'BR',
  ind: 'IN',
  jpn: 'JP',
  sgp: 'SG',
  zaf: 'ZA',
  holland: 'NL',
  'the netherlands': 'NL',
  'republic of ireland': 'IE',
  'south korea': 'KR',
  korea: 'KR',
  'czech republic': 'CZ',
  'russian federation': 'RU',
  'puerto rico': 'PR',
};

/** Retired or reserved codes the runtime names like a current country (`DD` "Germany", `UK`), and `ZZ`. */
const RETIRED = new Set([
  'AN',
  'HV',
  'DY',
  'BU',
  'ZR',
  'CS',
  'YU',
  'DD',
  'FX',
  'UK',
  'NH',
  'RH',
  'SU',
  'TP',
  'VD',
  'YD',
  'ZZ',
]);

let byName: Map<string, string> | undefined;

function names(): Map<string, string> {
  if (byName) return byName;
  byName = new Map();
  let display: Intl.DisplayNames | undefined;
  try {
    display = new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    display = undefined;
  }
  if (display) {
    const A = 'A'.charCodeAt(0);
    for (let i = 0; i < 26; i++) {
      for (let j = 0; j < 26; j++) {
        const code = String.fromCharCode(A + i, A + j);
        const name = display.of(code);
        // Unknown regions echo the code back.
        if (name && name !== code && !RETIRED.has(code)) byName.set(normalize(name), code);
      }
    }
  }
  return byName;
}

function normalize(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

/** The ISO 3166-1 alpha-2 code for a vendor's country text, or null when it is empty or unrecognised. */
export function toCountryCode(text: string | null | undefined): string | null {
  if (typeof text !== 'string') return null;
  const t = text.trim();
  if (!t) return null;
  if (/^[A-Za-z]{2}$/.test(t)) {
    const code = t.toUpperCase();
    return code === 'UK' ? 'GB' : code;
  }
  const key = normalize(t);
  return ALIASES[key] ?? names().get(key) ?? null;
}
