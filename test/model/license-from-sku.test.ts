/**
 * `licenseFromSku` reads SKU texts character by character (issue 21: it runs for every subscription read). This
 * checks it against the regular-expression reading it replaced, on generated texts near every boundary: GUIDs
 * (either case, a digit off, a hyphen moved), catalog ids (12 + 4 characters, lower case, one too many or too
 * few, extra segments), whitespace around, empty and missing values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LicenseIdentity, licenseFromSku } from '../../src/model/common.js';

/** The reading before issue 21, kept here as the reference. */
function byRegex(text: string | null | undefined): LicenseIdentity {
  const id: LicenseIdentity = { microsoftProductId: null, microsoftSkuId: null, graphSkuId: null };
  const t = text?.trim();
  if (!t) return id;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t))
    return { ...id, graphSkuId: t.toLowerCase() };
  const [product, sku] = t.split(':');
  if (product && /^[A-Z0-9]{12}$/.test(product)) {
    id.microsoftProductId = product;
    if (sku && /^[0-9A-Z]{4}$/.test(sku)) id.microsoftSkuId = sku;
  }
  return id;
}

/** Texts built from the characters that matter: hex digits both cases, letters, digits, ':', '-', spaces. */
const chars = fc.constantFrom(...'0123456789abcdefABCDEFGZz:- \t'.split(''));
const text = fc.oneof(
  fc.string({ unit: chars, maxLength: 40 }),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid(),
  fc
    .tuple(
      fc.string({ unit: fc.constantFrom(...'ABCXYZ0129a'.split('')), minLength: 11, maxLength: 13 }),
      fc.string({ unit: fc.constantFrom(...'0129ABZa:'.split('')), minLength: 0, maxLength: 6 }),
      fc.constantFrom('', ':', ':0001', ' ', '\n'),
    )
    .map(([p, s, rest]) => `${p}:${s}${rest}`),
);

describe('licenseFromSku', () => {
  it('reads what the regular expressions read, on generated texts', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(licenseFromSku(t)).toEqual(byRegex(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads the documented forms', () => {
    expect(licenseFromSku(' CFQ7TTC0LCHC:0002:P1Y ')).toEqual({
      microsoftProductId: 'CFQ7TTC0LCHC',
      microsoftSkuId: '0002',
      graphSkuId: null,
    });
    expect(licenseFromSku('CFQ7TTC0LCHC')).toEqual({
      microsoftProductId: 'CFQ7TTC0LCHC',
      microsoftSkuId: null,
      graphSkuId: null,
    });
    expect(licenseFromSku('CFQ7TTC0LCHC:002')).toEqual(byRegex('CFQ7TTC0LCHC:002'));
    expect(licenseFromSku('F30DB892-07E9-47E9-837C-80727F46FD3D').graphSkuId).toBe(
      'f30db892-07e9-47e9-837c-80727f46fd3d',
    );
    for (const nothing of [undefined, null, '', '   ', 'cfq7ttc0lchc:0002', 'Microsoft 365', 'CFQ7TTC0LCHC0:0002']) {
      expect(licenseFromSku(nothing)).toEqual({ microsoftProductId: null, microsoftSkuId: null, graphSkuId: null });
    }
  });

  it('returns a new object each time (callers may change it)', () => {
    expect(licenseFromSku('CFQ7TTC0LCHC:0002')).not.toBe(licenseFromSku('CFQ7TTC0LCHC:0002'));
    expect(licenseFromSku(null)).not.toBe(licenseFromSku(null));
  });
});
