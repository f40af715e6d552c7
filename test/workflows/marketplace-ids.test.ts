import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import {
  MARKETPLACE_ID_PREFIXES,
  formatMarketplaceId,
  formatMarketplaceIds,
  parseMarketplaceId,
  parseMarketplaceIds,
} from '../../src/workflows/index.js';

const UUID = '7b1f2d34-5c6e-4f80-9a1b-2c3d4e5f6a7b';

describe('parseMarketplaceIds', () => {
  it('maps every prefix to its provider', () => {
    const ids = parseMarketplaceIds(
      `PAX8:${UUID};D_AND_H:100234;INGRAM_MICRO:CUST-9;SHERWEB:abc;MICROSOFT_PARTNER_CENTER:${UUID};TD_SYNNEX:55`,
    );
    expect(ids.map((i) => [i.provider, i.customerId])).toEqual([
      ['pax8', UUID],
      ['dandh', '100234'],
      ['ingram', 'CUST-9'],
      ['sherweb', 'abc'],
      ['partner-center', UUID],
      ['td-synnex', '55'],
    ]);
  });

  it('splits on semicolons, commas and whitespace, drops duplicates, accepts arrays', () => {
    expect(parseMarketplaceIds(`PAX8:${UUID}, SHERWEB:1\n  SHERWEB:2 ; SHERWEB:1`).map(formatMarketplaceId)).toEqual([
      `PAX8:${UUID}`,
      'SHERWEB:1',
      'SHERWEB:2',
    ]);
    expect(parseMarketplaceIds(['SHERWEB:1', 'TD_SYNNEX:2']).length).toBe(2);
    expect(parseMarketplaceIds('   ')).toEqual([]);
  });

  it('normalizes prefix case and UUID case', () => {
    const [id] = parseMarketplaceIds(`pax8:${UUID.toUpperCase()}`);
    expect(id).toEqual({ provider: 'pax8', prefix: 'PAX8', customerId: UUID });
  });

  it.each([
    ['FOO:1', /unknown marketplace prefix "FOO"/],
    ['PAX8:', /empty PAX8 id/],
    ['PAX8:not-a-uuid', /not a UUID/],
    ['MICROSOFT_PARTNER_CENTER:contoso.onmicrosoft.com', /Microsoft tenant id/],
    ['justtext', /not PREFIX:id/],
    [':123', /not PREFIX:id/],
  ])('refuses %s with a clear message', (input, message) => {
    expect(() => parseMarketplaceIds(input)).toThrow(ValidationError);
    expect(() => parseMarketplaceIds(input)).toThrow(message);
  });

  it('names every bad id at once', () => {
    try {
      parseMarketplaceIds('FOO:1;SHERWEB:ok;PAX8:x');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['ids[0]', 'ids[2]']);
    }
  });

  it('round-trips through formatMarketplaceIds (property)', () => {
    const prefix = fc.constantFrom('D_AND_H', 'INGRAM_MICRO', 'SHERWEB', 'TD_SYNNEX');
    const idText = fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(prefix, idText), { maxLength: 6 }), (pairs) => {
        const text = pairs.map(([p, i]) => `${p}:${i}`).join(';');
        const parsed = parseMarketplaceIds(text);
        expect(parseMarketplaceIds(formatMarketplaceIds(parsed))).toEqual(parsed);
      }),
    );
  });

  it('never throws anything but ValidationError (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseMarketplaceIds(s);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });

  it('parseMarketplaceId parses one and formatMarketplaceId refuses unknown providers', () => {
    expect(parseMarketplaceId(' SHERWEB:9 ').customerId).toBe('9');
    expect(Object.keys(MARKETPLACE_ID_PREFIXES)).toHaveLength(6);
    expect(() => formatMarketplaceId({ provider: 'nope' as 'pax8', customerId: '1' })).toThrow(ValidationError);
  });
});
