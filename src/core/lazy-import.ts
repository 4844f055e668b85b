// Lazily imported dependencies, the same whether they are ES modules or CommonJS.
// In the esbuild bundle (code splitting), a CommonJS package such as yaml (its "node" export is
// CommonJS) becomes a chunk whose only export is `default: module.exports`, so
// `const { parse } = await import("yaml")` finds no `parse`, while the same line works from the
// sources. Every `await import("<package>")` in src/ goes through namedExports() (a test greps).

/** The module's named exports: its namespace merged over a CommonJS `default` object. */
export async function namedExports<T>(load: Promise<T>): Promise<T> {
  const ns: any = await load;
  const d = ns?.default;
  if (d === null || (typeof d !== "object" && typeof d !== "function")) return ns;
  const out: any = Object.create(null);
  for (const k of Object.keys(d)) out[k] = d[k];
  for (const k of Object.keys(ns)) out[k] = ns[k];
  return out as T;
}
