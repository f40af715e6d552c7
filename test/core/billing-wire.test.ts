import { describe, expect, it } from 'vitest';
import { RecordReader, inDayRange, normalizeDate, sequentialPages } from '../../src/core/billing-wire.js';

describe('billing-wire', () => {
  it('reads dates leniently and keeps billing days as days', () => {
    expect(normalizeDate('2026-03-01')).toBe('2026-03-01');
    expect(normalizeDate('2026-03-01T10:00:00-0700')).toBe('2026-03-01T17:00:00.000Z');
    expect(normalizeDate('2026-03-01T10:00:00')).toBe('2026-03-01T10:00:00.000Z');
    expect(normalizeDate('2026-13-45')).toBeUndefined();
    expect(normalizeDate('March')).toBeUndefined();
    const r = new RecordReader({ a: { b: '1,5' }, n: Number.NaN });
    expect(r.number('a.b')).toBe(15);
    expect(r.number('n')).toBeNull();
    expect(r.problems).toEqual(['n is not a number']);
  });

  it('keeps records of unknown date in a range filter (never drops what it cannot tell)', () => {
    expect(inDayRange(null, { from: '2026-01-01' })).toBe(true);
    expect(inDayRange('2025-12-31T23:00:00.000Z', { from: '2026-01-01' })).toBe(false);
    expect(inDayRange('2026-01-31', { from: '2026-01-01', to: '2026-01-31' })).toBe(true);
  });

  it('pages nested listings lazily and resumes from a cursor without skipping or repeating', async () => {
    let made = 0;
    const list = () =>
      sequentialPages(
        async function* () {
          made += 1;
          for (let p = 0; p < 4; p += 1) yield { items: [`${p}a`, `${p}b`] };
        },
        undefined,
        {},
      );
    expect(await list().toArray({ limit: Number.POSITIVE_INFINITY })).toEqual([
      '0a',
      '0b',
      '1a',
      '1b',
      '2a',
      '2b',
      '3a',
      '3b',
    ]);
    const pages = list().byPage();
    await pages.next();
    const second = (await pages.next()).value!;
    expect(second.items).toEqual(['1a', '1b']);
    const resumed = await list().byPage({ cursor: second.nextCursor }).next();
    expect(resumed.value!.items).toEqual(['2a', '2b']);
    expect(made).toBe(3);
  });
});
