/** Deep equality of parsed data. */
import assert from "node:assert/strict";
import { sameData } from "../../src/common/same_data.ts";

Deno.test("sameData: equal structures are equal, whatever the key order", () => {
  assert.ok(sameData({ a: [1, { b: "x" }], c: null }, { c: null, a: [1, { b: "x" }] }));
  assert.ok(sameData(Number.NaN, Number.NaN));
  assert.ok(sameData([], []));
});

Deno.test("sameData: any difference is a difference", () => {
  const cases: Array<[unknown, unknown]> = [
    [{ a: 1 }, { a: "1" }],
    [{ a: 1 }, { a: 1, b: undefined }],
    [[1, 2], [2, 1]],
    [[1], { 0: 1 }],
    [null, {}],
    [{ a: [1] }, { a: [1, 2] }],
  ];
  for (const [a, b] of cases) assert.equal(sameData(a, b), false, JSON.stringify([a, b]));
});
