/**
 * Loads a package only when a feature needs it (ioredis with `redis`, redlock for the fleet seat lock), by a
 * name that bundlers do not follow: a consumer's esbuild or webpack would otherwise inline every package reachable
 * through a string-literal `import()` (it inlined 58.7 KB of bottleneck, the fleet limiter's library until
 * 2026-12, into a Pax8-only bundle that never sets `redis`). The package is resolved from the SDK's own location at run time, like any dependency.
 */

/** Set to `true` by the CommonJS build (tsup.config.ts); undefined in the ESM build, under tsx and vitest. */
declare const __MSP_CJS__: boolean | undefined;

/**
 * `import(specifier)` hidden from bundlers. In the CommonJS build it is a `require` (Jest and other CommonJS
 * loaders run it without ESM support in their VM) shaped like Node's `import()` of a CommonJS module: the
 * exports object as `default`, plus its properties.
 */
export function optionalImport<T>(specifier: string): Promise<T> {
  if (typeof __MSP_CJS__ !== 'undefined' && __MSP_CJS__) {
    return new Promise<T>((resolve) => {
      const mod = require(specifier) as Record<string, unknown>;
      resolve({ ...mod, default: mod } as T);
    });
  }
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<T>;
}
