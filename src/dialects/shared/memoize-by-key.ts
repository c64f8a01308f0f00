/**
 * Caches a builder's result by a key derived from its arguments. Dialects build their zod schemas through it:
 * constructing a schema costs hundreds of microseconds, using a built one a couple.
 */
export function memoizeByKey<Arguments extends unknown[], Result>(
  keyOf: (...args: Arguments) => string,
  build: (...args: Arguments) => Result,
): (...args: Arguments) => Result {
  const cache = new Map<string, Result>();
  return (...args) => {
    const key = keyOf(...args);
    let value = cache.get(key);
    if (value === undefined) {
      value = build(...args);
      cache.set(key, value);
    }
    return value;
  };
}
