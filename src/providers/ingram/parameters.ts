import { ValidationError } from '../../core/errors.js';

/** Activation parameters of an Ingram purchase (e.g. `{ domain: 'contoso.com' }`); names are case-sensitive. */
export type IngramOrderParameters = Record<string, unknown>;

/** The caller's parameters as `[{ name, value }]`, checked before any request. */
export function parameterList(value: unknown): { name: string; value: unknown }[] | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('purchase: parameters must be an object of name -> value', [
      { path: 'parameters', message: 'must be an object' },
    ]);
  }
  const list = Object.entries(value as Record<string, unknown>).map(([name, v]) => ({ name, value: v }));
  const empty = list.find((p) => p.value === undefined || p.value === null || p.value === '');
  if (empty) {
    throw new ValidationError(`purchase: parameter ${empty.name} has no value`, [
      { path: `parameters.${empty.name}`, message: 'must have a value' },
    ]);
  }
  return list.length > 0 ? list : undefined;
}

/** The errors of a `POST /validation/parameters` answer, as `name: message`. */
export function parameterErrors(data: unknown): string[] {
  const rows = (data as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(rows)) return [];
  return rows.flatMap((row) => {
    const params = (row as { parameters?: unknown })?.parameters;
    if (!Array.isArray(params)) return [];
    return params
      .filter((p) => (p as { result?: unknown })?.result === 'error')
      .map(
        (p) =>
          `${String((p as { name?: unknown }).name)}: ${String((p as { message?: unknown }).message ?? 'invalid')}`,
      );
  });
}
