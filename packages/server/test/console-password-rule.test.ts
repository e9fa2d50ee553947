// One password rule for operators, owned by the server package: the console's
// user form, addUser (used by `mde-partner users add` and `init --admin-user`)
// and the message they give are the same.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addUser, MIN_PASSWORD_LENGTH, passwordProblem } from "@mde-partner/server";
import { createWorld, signedIn, type World } from "./support.js";

let world: World;
before(async () => {
  world = await createWorld();
});
after(() => world.close());

describe("the operator password rule", () => {
  it("a 10-character password is refused everywhere with one message; 12 are enough", async () => {
    assert.equal(MIN_PASSWORD_LENGTH, 12);
    const message = "the password must be at least 12 characters";
    assert.equal(passwordProblem("ten-chars!"), message);
    await assert.rejects(addUser(world.usersFile, { name: "bob", password: "ten-chars!", role: "viewer" }), { message });
    const admin = await signedIn(world, "admin");
    const form = await admin.form("/users", { name: "bob", password: "ten-chars!", role: "viewer" });
    assert.equal(form.status, 400);
    assert.match(await form.text(), new RegExp(message));
    await addUser(world.usersFile, { name: "bob", password: "twelve-chars", role: "viewer" });
  });
});
