/**
 * Loading kittify's own modules when they are needed. `deno run` loads (reads and parses) every
 * module a program could reach through a static import or an `import("literal")` before running
 * any of it, which costs each command ~10 ms for code it never runs. A specifier that is not a
 * literal is loaded only when the import runs. `deno compile` embeds these modules because
 * scripts/compile.ts includes `src/` whole.
 *
 *   const { implement } = await load<typeof import("../work/implement.ts")>(
 *     new URL("../work/implement.ts", import.meta.url),
 *   );
 */
export function load<T>(module: URL): Promise<T> {
  return import(module.href);
}
