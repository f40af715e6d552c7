import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { parseCompaniesCsv } from '../../src/workflows/index.js';

const UUID = '7b1f2d34-5c6e-4f80-9a1b-2c3d4e5f6a7b';

describe('parseCompaniesCsv', () => {
  it('keeps good rows and reports every bad row with its line and reason', () => {
    const csv = [
      'id,name,marketplace_ids,notes',
      `1,Contoso,"PAX8:${UUID}, SHERWEB:42",ok`,
      '2,Fabrikam,FOO:1,unknown prefix',
      '',
      '3,,SHERWEB:7,no name',
      '4,"Tail',
      'Spin",D_AND_H:9 TD_SYNNEX:8,multi-line name',
      '5,Northwind,PAX8:nope,bad uuid',
      '6,Litware,,no ids',
      '7,Adatum,SHERWEB:42,duplicate mapping',
      '8,Short',
    ].join('\n');
    const { companies, errors } = parseCompaniesCsv(csv);
    expect(companies.map((c) => [c.id, c.name, c.marketplaceIds.length])).toEqual([
      ['1', 'Contoso', 2],
      ['4', 'Tail\nSpin', 2],
    ]);
    expect(errors.map((e) => [e.line, e.reason])).toEqual([
      [3, expect.stringMatching(/unknown marketplace prefix "FOO"/)],
      [5, expect.stringMatching(/name cell is empty/)],
      [8, expect.stringMatching(/PAX8 id "nope" is not a UUID/)],
      [9, expect.stringMatching(/no marketplace id/)],
      [10, expect.stringMatching(/SHERWEB:42 is already mapped to the company on line 2/)],
      [11, expect.stringMatching(/expected 4 cells, found 2/)],
    ]);
    expect(errors[0]?.row?.name).toBe('Fabrikam');
  });

  it('handles a BOM, CRLF, header case, semicolons and whitespace', () => {
    const csv = `\uFEFFCompany Name ,Marketplace_IDs\r\nContoso,PAX8:${UUID};SHERWEB:1\r\nFabrikam,  INGRAM_MICRO:C-1   D_AND_H:2 \r\n`;
    const { companies, errors } = parseCompaniesCsv(csv);
    expect(errors).toEqual([]);
    expect(companies.map((c) => c.marketplaceIds.map((i) => i.provider))).toEqual([
      ['pax8', 'sherweb'],
      ['ingram', 'dandh'],
    ]);
  });

  it('counts cells per row (a long row does not spoil the next) and lines across mixed line endings', () => {
    const csv = 'name,marketplace_ids\nA,X:1,extra\nB,X:2\r\nC,X:3\n\n\nD,"X:4\nX:5"\nE,X:6\rF,SHERWEB:7\r\n';
    const { companies, errors } = parseCompaniesCsv(csv);
    expect(errors.map((e) => `${e.row?.name}@${e.line}`)).toEqual(['A@2', 'B@3', 'C@4', 'D@7', 'E@9']);
    expect(errors[0]?.reason).toBe('expected 2 cells, found 3');
    expect(companies.map((c) => c.name)).toEqual(['F']);
  });

  it('reports an unclosed quote and keeps the rows before it', () => {
    const { companies, errors } = parseCompaniesCsv('name,marketplace_ids\nA,SHERWEB:1\nB,"SHERWEB:2\n');
    expect(companies.map((c) => c.name)).toEqual(['A']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.reason).toMatch(/unreadable CSV/);
  });

  it('allows rows without ids when asked, and custom column names', () => {
    const { companies, errors } = parseCompaniesCsv('client;ids\nA;\nB;SHERWEB:1\n', {
      delimiter: ';',
      nameColumn: 'client',
      idsColumn: 'ids',
      allowNoIds: true,
    });
    expect(errors).toEqual([]);
    expect(companies.map((c) => c.marketplaceIds.length)).toEqual([0, 1]);
  });

  it('throws a ValidationError when the header has no ids or name column', () => {
    expect(() => parseCompaniesCsv('name,tenant\nA,1\n')).toThrow(ValidationError);
    expect(() => parseCompaniesCsv('foo,marketplace_ids\nA,SHERWEB:1\n')).toThrow(/no name or company or company_name/);
    expect(parseCompaniesCsv('')).toEqual({ companies: [], errors: [] });
  });

  it('reads back any names and ids written with proper CSV quoting (property)', () => {
    const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const name = fc.string({ minLength: 1, maxLength: 30 }).filter((n) => n.trim() !== '' && !n.includes('\r'));
    const id = fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, id), { maxLength: 8, selector: ([, i]) => i }), (rows) => {
        const csv = [
          'name,marketplace_ids',
          ...rows.map(([n, i]) => `${quote(n)},${quote(`SHERWEB:${i}, TD_SYNNEX:${i}`)}`),
        ].join('\n');
        const { companies, errors } = parseCompaniesCsv(csv);
        expect(errors).toEqual([]);
        expect(companies.map((c) => c.name)).toEqual(rows.map(([n]) => n.trim()));
        expect(companies.every((c) => c.marketplaceIds.length === 2)).toBe(true);
      }),
    );
  });

  it('never throws on arbitrary text with a valid header (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (body) => {
        const r = parseCompaniesCsv(`name,marketplace_ids\n${body}`);
        expect(r.companies.length + r.errors.length).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
