/**
 * kittify's POSIX path functions give Node's `path.posix` results: both are run on every path
 * built from a set of awkward pieces (empty, `.`, `..`, repeated and trailing slashes, dots in
 * names, non-ASCII), and on pseudo-random longer paths from a fixed seed.
 */
import assert from "node:assert/strict";
import * as node from "node:path/posix";
import * as ours from "../../src/common/posix_path.ts";

const PIECES = ["", ".", "..", "...", "a", "b.c", ".d", "/", "//", "a/", "/a", "x//y/", "日本"];

/** Every joining of up to three pieces, plus 2,000 longer ones from a fixed seed. */
function paths(): string[] {
  const out = new Set<string>(PIECES);
  for (const a of PIECES) {
    for (const b of PIECES) {
      out.add(a + b);
      out.add(`${a}/${b}`);
      for (const c of PIECES) out.add(`${a}/${b}${c}`);
    }
  }
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % PIECES.length;
  for (let i = 0; i < 2_000; i++) {
    out.add(Array.from({ length: 2 + (i % 7) }, () => PIECES[next()]).join(i % 2 ? "/" : ""));
  }
  return [...out];
}

const ALL = paths();

Deno.test("posix path: one-path functions give Node's results", () => {
  assert.ok(ALL.length > 2_000);
  for (const p of ALL) {
    for (const fn of ["normalize", "dirname", "basename", "isAbsolute"] as const) {
      assert.equal(ours[fn](p), node[fn](p), `${fn}(${JSON.stringify(p)})`);
    }
    assert.equal(ours.resolve(p), node.resolve(p), `resolve(${JSON.stringify(p)})`);
  }
  assert.equal(ours.sep, node.sep);
});

Deno.test("posix path: join, resolve and relative of two paths give Node's results", () => {
  const some = ALL.filter((_, i) => i % 23 === 0);
  for (const a of some) {
    for (const b of some) {
      const args = JSON.stringify([a, b]);
      assert.equal(ours.join(a, b), node.join(a, b), `join${args}`);
      assert.equal(ours.resolve(a, b), node.resolve(a, b), `resolve${args}`);
      assert.equal(ours.relative(a, b), node.relative(a, b), `relative${args}`);
    }
  }
  assert.equal(ours.join(), node.join());
  assert.equal(ours.join("a", "", "b", ""), node.join("a", "", "b", ""));
  assert.equal(ours.resolve(), node.resolve());
  assert.equal(ours.resolve("a", "/b", "c"), "/b/c");
});

Deno.test("posix path: relative paths leave the working directory's common part out", () => {
  const cwd = Deno.cwd();
  assert.equal(ours.relative(cwd, `${cwd}/x/y`), "x/y");
  assert.equal(ours.relative(`${cwd}/x/y`, cwd), "../..");
  assert.equal(ours.relative("/a/bc", "/a/b"), "../b");
  assert.equal(ours.relative("x", "x/"), "");
});
