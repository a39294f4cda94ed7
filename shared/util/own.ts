// Lookups keyed by strings from outside (a WebSocket message, a script line, argv): a plain
// object answers `table['constructor']` or `table['__proto__']` with members it inherited, which
// then pass for table entries. Ask for own properties only.

/** ownValue returns `table[key]` when `key` is one of the table's own properties, and undefined
 * otherwise (never an inherited member such as `constructor`, `toString` or `__proto__`). */
export function ownValue<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

/** hasOwnKey tells whether `key` is one of `table`'s own properties. */
export function hasOwnKey(table: object, key: string): boolean {
  return Object.hasOwn(table, key)
}
