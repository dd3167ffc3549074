/**
 * Usernames: compared in NFKC form; invisible characters and look-alike mixes of scripts are
 * refused with a message that says why; the store finds a user by any form of the name.
 */
import { KvUserRecords } from "../../src/server/storage/kv/kv_users.ts";
import assert from "node:assert/strict";
import { normalizeUsername, usernameProblem } from "../../src/server/auth/username.ts";
import { UserStore } from "../../src/server/auth/users.ts";
import { userKey } from "../../src/server/storage/kv/keys.ts";

const problem = (name: string) => usernameProblem(normalizeUsername(name));

Deno.test("usernames of every script are accepted, alone or in the mixes people write", () => {
  for (
    const name of [
      "alice",
      "bob.smith",
      "user_1",
      "carol@example.com",
      "élodie",
      "Παύλος",
      "Иван",
      "山田太郎",
      "やまだ",
      "田中hiro",
      "김민수",
      "1234",
    ]
  ) {
    assert.equal(problem(name), undefined, name);
  }
});

Deno.test("invisible characters and look-alike script mixes are refused, saying why", () => {
  const cases: Array<[string, RegExp]> = [
    ["ali\u200dce", /invisible, control or whitespace character \(U\+200D\)/],
    ["ali\u200bce", /U\+200B/],
    ["admin\u202egnp", /U\+202E/],
    ["\u2066alice\u2069", /U\+2066/],
    ["al ice", /U\+0020/],
    ["alice\u0000", /U\+0000/],
    ["alice\ue000", /U\+E000/],
    ["p\u0430ypal", /mixes letters of Latin and Cyrillic/],
    ["\u03b1lice", /mixes letters of Greek and Latin/],
    ["Иванivan", /Cyrillic and Latin/],
    ["", /empty/],
    ["x".repeat(151), /longer than 150/],
  ];
  for (const [name, reason] of cases) assert.match(problem(name) ?? "accepted", reason, name);
});

Deno.test("names are compared in NFKC form: a full-width name is the same user", async () => {
  assert.equal(normalizeUsername("ａｌｉｃｅ"), "alice");
  assert.equal(normalizeUsername("e\u0301lodie"), "élodie");
  const kv = await Deno.openKv(":memory:");
  try {
    const users = new UserStore(new KvUserRecords(kv));
    const added = await users.add("ａｌｉｃｅ", "acme", "s3cret-enough");
    assert.equal(added.username, "alice");
    await assert.rejects(users.add("alice", "acme", "s3cret-enough"), /already exists/);
    await assert.rejects(users.add("p\u0430ypal", "acme", "s3cret-enough"), /Latin and Cyrillic/);
    assert.equal((await users.authenticate("alice", "s3cret-enough"))?.username, "alice");
    assert.equal((await users.authenticate("ａｌｉｃｅ", "s3cret-enough"))?.username, "alice");
    assert.equal(await users.authenticate("ali\u200dce", "s3cret-enough"), undefined);
    await assert.rejects(users.remove("x".repeat(5_000)), /no user/);
    await users.remove("ａｌｉｃｅ");
    assert.deepEqual(await users.list(), []);
  } finally {
    kv.close();
  }
});

Deno.test("users added before names were checked: look-alikes stop working and can be removed", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const users = new UserStore(new KvUserRecords(kv));
    await users.add("carol", "acme", "s3cret-enough");
    const carol = (await users.get("carol"))!;
    // Written as an older server did: under the raw name, unchecked.
    for (const name of ["\u0430dmin", "al\u200bice", "ｂｏｂ"]) {
      await kv.set(userKey(name), { ...carol, username: name });
    }
    // A refused look-alike is not found: no login, no token refresh, sockets swept.
    assert.equal(await users.get("\u0430dmin"), undefined);
    assert.equal(await users.authenticate("\u0430dmin", "s3cret-enough"), undefined);
    assert.equal(await users.get("al\u200bice"), undefined);
    // A name that was merely not in NFKC form still works, spelled as it was added.
    assert.equal((await users.get("ｂｏｂ"))?.username, "ｂｏｂ");
    assert.equal((await users.authenticate("ｂｏｂ", "s3cret-enough"))?.username, "ｂｏｂ");
    // The listing says which cannot log in; every one of them can be removed.
    const listed = await users.list();
    assert.match(listed.find((u) => u.username === "\u0430dmin")!.refused!, /Cyrillic and Latin/);
    assert.equal(listed.find((u) => u.username === "ｂｏｂ")!.refused, undefined);
    for (const name of ["\u0430dmin", "al\u200bice", "ｂｏｂ"]) await users.remove(name);
    assert.deepEqual((await users.list()).map((u) => u.username), ["carol"]);
  } finally {
    kv.close();
  }
});
