import assert from "node:assert/strict";
import {
  isValidRepoSlugOverride,
  kebab,
  parseRepoSlug,
  projectSlug,
  repoNameFromRemote,
} from "../../src/identity/slug.ts";
import { nodeIdFor } from "../../src/identity/node_id.ts";

Deno.test("parseRepoSlug: the reference test vectors", () => {
  const vectors: Array<[string, string | null]> = [
    ["git@github.com:acme/spec-kitty.git", "acme/spec-kitty"],
    ["https://github.com/acme/spec-kitty.git", "acme/spec-kitty"],
    ["https://github.com/acme/spec-kitty", "acme/spec-kitty"],
    ["ssh://git@github.com/acme/spec-kitty.git", "acme/spec-kitty"],
    ["git@bitbucket.org:acme/spec-kitty.git", "acme/spec-kitty"],
    ["https://github.com/acme/spec-kitty/", "acme/spec-kitty"],
    ["git@gitlab.com:org/team/repo.git", "org/team/repo"],
    ["ssh://git@gitlab.com/org/team/repo.git", "org/team/repo"],
    ["https://git.internal.co/acme/repo", "acme/repo"],
    ["https://gitlab.com/a/b/c/d/repo.git", "a/b/c/d/repo"],
    ["git@gitlab.com:a/b/c/repo.git", "a/b/c/repo"],
    ["git@github.com:Acme/Spec-Kitty.git", "Acme/Spec-Kitty"],
    ["  https://github.com/acme/spec-kitty.git  ", "acme/spec-kitty"],
    ["git@github.com:repo.git", null],
    ["", null],
    ["file:///Users/x/spec-kitty", null],
    ["/Users/x/spec-kitty", null],
    ["../spec-kitty", null],
    ["./spec-kitty", null],
    ["https://github.com", null],
  ];
  for (const [url, expected] of vectors) assert.equal(parseRepoSlug(url), expected, url);
});

Deno.test("repo_slug override validation", () => {
  for (const ok of ["owner/repo", "org/team/repo", "my-org/my_repo", "a/b/c/d/e"]) {
    assert.ok(isValidRepoSlugOverride(ok), ok);
  }
  for (const bad of ["repo", "a//b", "/a/b", "a/b/", "", " / ", 42, null]) {
    assert.ok(!isValidRepoSlugOverride(bad), String(bad));
  }
});

Deno.test("project slug from the origin remote or the directory, kebab-cased", () => {
  assert.equal(projectSlug("https://github.com/user/awesome-repo.git", "x"), "awesome-repo");
  assert.equal(projectSlug("git@github.com:user/my_project.git", "x"), "my-project");
  assert.equal(projectSlug("https://github.com/user/repo", "x"), "repo");
  assert.equal(projectSlug("https://github.com/user/repo/", "x"), "repo");
  assert.equal(projectSlug(null, "My_Project"), "my-project");
  assert.equal(projectSlug(null, "fallback_project"), "fallback-project");
  assert.equal(projectSlug(null, "  Déjà   Vu!! v2.0 "), "d-j-vu-v2-0");
  assert.equal(projectSlug(null, "___"), "project");
  assert.equal(repoNameFromRemote("git@host:owner/Some.Repo.git"), "Some.Repo");
  assert.equal(kebab("--A--B--"), "a-b");
});

Deno.test("node_id is the first 12 hex of sha256(hostname:username)", async () => {
  // sha256("host:alice") computed independently with coreutils.
  assert.equal(await nodeIdFor("host", "alice"), "8ddef375dc6b");
  assert.match(await nodeIdFor("h", "u"), /^[0-9a-f]{12}$/);
  assert.notEqual(await nodeIdFor("h", "u"), await nodeIdFor("h", "v"));
});
