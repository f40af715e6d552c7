import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's folder for figures (global-setup.ts makes one per run, so concurrent runs do not mix). */
    reliabilityFiguresDir: string;
  }
}

/** Where all runs keep their figures; each run uses its own subfolder. */
export const FIGURES_ROOT = join(process.cwd(), 'node_modules', '.cache', 'msp-reliability');

/** The figures the suite reports, per provider (or `all`). */
export interface Figures {
  calls: number;
  faults: number;
  retries: number;
  typedErrors: number;
  untypedErrors: number;
  wrongData: number;
  listings: number;
  itemsLost: number;
  itemsDuplicated: number;
  seatChanges: number;
  writeFaults: number;
  writeOutcomeUnknown: number;
  doubleApplied: number;
  wrongFinalSeats: number;
  conflictsWritten: number;
  propertyRuns: number;
  mapperCrashes: number;
  readOnlyRequests: number;
  cancellationLeaks: number;
  secretsChecked: number;
  recorded: number;
  secretsFound: number;
}

export type FigureKey = keyof Figures;

/** Figures that must be 0 for the suite to pass. */
export const MUST_BE_ZERO: FigureKey[] = [
  'untypedErrors',
  'wrongData',
  'itemsLost',
  'itemsDuplicated',
  'doubleApplied',
  'wrongFinalSeats',
  'conflictsWritten',
  'mapperCrashes',
  'readOnlyRequests',
  'cancellationLeaks',
  'secretsFound',
];

/** Accumulates figures in one test file; `save()` writes them for the report. */
export class FigureBook {
  readonly #rows = new Map<string, Partial<Figures>>();
  readonly #notes: string[] = [];
  constructor(readonly file: string) {}

  add(provider: string, key: FigureKey, n = 1): void {
    const row = this.#rows.get(provider) ?? {};
    row[key] = (row[key] ?? 0) + n;
    this.#rows.set(provider, row);
  }

  get(provider: string, key: FigureKey): number {
    return this.#rows.get(provider)?.[key] ?? 0;
  }

  note(text: string): void {
    this.#notes.push(text);
  }

  save(): void {
    const dir = inject('reliabilityFiguresDir') ?? join(FIGURES_ROOT, 'unmanaged');
    mkdirSync(dir, { recursive: true });
    const body = { file: this.file, rows: Object.fromEntries(this.#rows), notes: this.#notes };
    writeFileSync(join(dir, `${this.file}.json`), JSON.stringify(body, null, 2));
  }
}

/** Every book saved in `dir`. */
export function loadBooks(
  dir: string,
): Array<{ file: string; rows: Record<string, Partial<Figures>>; notes: string[] }> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')));
}
