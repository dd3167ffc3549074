/** Which feature a command uses (pure). */
import assert from "node:assert/strict";
import { UserError } from "../../src/common/errors.ts";
import { pickFeature } from "../../src/work/feature_pick.ts";

const features = ["001-alpha", "002-beta-release"];

Deno.test("--feature wins; a number picks the feature with that prefix", () => {
  const clues = { branch: "001-alpha", worktree: null, features };
  assert.equal(pickFeature({ ...clues, flag: "002-beta-release" }), "002-beta-release");
  assert.equal(pickFeature({ ...clues, flag: "2" }), "002-beta-release");
  assert.equal(pickFeature({ ...clues, flag: "beta-release" }), "002-beta-release");
  assert.equal(pickFeature({ ...clues, flag: "Beta Release" }), "002-beta-release");
  assert.throws(() => pickFeature({ ...clues, flag: "beta" }), UserError);
  assert.equal(
    pickFeature({ ...clues, flag: "kitty-specs/002-beta-release/" }),
    "002-beta-release",
  );
  assert.throws(() => pickFeature({ ...clues, flag: "003" }), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.match(err.hint!, /001-alpha, 002-beta-release/);
    return true;
  });
});

Deno.test("a name two features share is ambiguous: the error lists both", () => {
  const twins = ["001-login-flow", "002-other", "004-login-flow"];
  assert.throws(
    () => pickFeature({ branch: null, worktree: null, features: twins, flag: "login-flow" }),
    (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /'login-flow' names 2 features: 001-login-flow, 004-login-flow/);
      assert.match(err.hint!, /--feature 001/);
      return true;
    },
  );
  assert.equal(pickFeature({ branch: null, worktree: null, features: twins, flag: "4" }), twins[2]);
});

Deno.test("the feature folder the command runs in comes before the branch", () => {
  const clues = { branch: "001-alpha", worktree: "001-alpha", features };
  assert.equal(pickFeature({ ...clues, folder: "002-beta-release" }), "002-beta-release");
  assert.equal(pickFeature({ ...clues, folder: "002-beta-release", flag: "1" }), "001-alpha");
  assert.equal(pickFeature({ ...clues, folder: "not-a-feature" }), "001-alpha");
  const unicode = ["001-alpha", "002-日本語"];
  assert.equal(pickFeature({ ...clues, features: unicode, flag: "日本語" }), "002-日本語");
});

Deno.test("the branch, then the worktree name, point at a feature", () => {
  assert.equal(
    pickFeature({ branch: "002-beta-release", worktree: null, features }),
    "002-beta-release",
  );
  assert.equal(
    pickFeature({ branch: "002-beta-release-WP04", worktree: null, features }),
    "002-beta-release",
  );
  assert.equal(pickFeature({ branch: "wip", worktree: "001-alpha-WP01", features }), "001-alpha");
  assert.equal(pickFeature({ branch: "009-gone", worktree: "001-alpha", features }), "001-alpha");
});

Deno.test("the only feature is used; otherwise the error lists the candidates", () => {
  assert.equal(
    pickFeature({ branch: "main", worktree: null, features: ["001-alpha"] }),
    "001-alpha",
  );
  assert.throws(
    () => pickFeature({ branch: "main", worktree: null, features }),
    /cannot tell which feature/,
  );
  assert.throws(
    () => pickFeature({ branch: "main", worktree: null, features: [] }),
    /no features/,
  );
});
