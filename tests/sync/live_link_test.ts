/**
 * The live link's states as `sync watch` prints them: while logged out it looks for a login every
 * few seconds but says so once, and says it again only when something changes.
 */
import assert from "node:assert/strict";
import { NotLoggedInError, type Session } from "../../src/auth/session.ts";
import { type LinkState, LiveLink } from "../../src/sync/live_link.ts";
import type { AuthApi } from "../../src/transport/auth_api.ts";

/** A link whose session fails as `failures` says, one entry per attempt; it stops after them. */
async function statesOf(failures: Array<() => Error>): Promise<LinkState[]> {
  const states: LinkState[] = [];
  const stop = new AbortController();
  let attempt = 0;
  const session = {
    access: () => Promise.reject(failures[attempt++]()),
    forget: () => {},
  } as unknown as Session;
  const link = new LiveLink({
    serverUrl: "http://127.0.0.1:1",
    session,
    api: {} as AuthApi,
    random: () => 0.5,
    sleep: () => {
      if (attempt >= failures.length) stop.abort();
      return Promise.resolve();
    },
    onEvent: () => {},
    onState: (state) => states.push(state),
  });
  await link.run(stop.signal, () => Promise.resolve());
  return states;
}

const notLoggedIn = () => new NotLoggedInError("not logged in");

Deno.test("live link: logged out, it polls quietly after saying so once", async () => {
  const states = await statesOf(Array(30).fill(notLoggedIn));
  assert.deepEqual(states, [
    { kind: "connecting" },
    { kind: "logged_out", reason: "not logged in" },
  ]);
});

Deno.test("live link: a change while logged out is told, and so is the next logout", async () => {
  const states = await statesOf([
    notLoggedIn,
    notLoggedIn,
    () => new Error("connection refused"),
    notLoggedIn,
    notLoggedIn,
  ]);
  assert.deepEqual(states.map((s) => s.kind), [
    "connecting",
    "logged_out",
    "reconnecting",
    "connecting",
    "logged_out",
  ]);
});
