// Request bodies are limited per route before anything reads them: a body
// declared too large is answered 413 at once, a chunked body that never ends is
// cut off at the limit and its connection closed, and only a signed-in hunting
// query may be larger than a sign-in form.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { Agent, createWorld, signedIn, type World } from "./support.js";

let world: World;
let port: number;

before(async () => {
  world = await createWorld({ console: { port: 0 } });
  port = Number(new URL((await world.console.start()).url).port);
});
after(() => world.close());

/** Reads from the socket until the response head is complete; resolves with it (or what came before the close). */
function responseHead(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const done = () => resolve(text);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (text.includes("\r\n\r\n")) done();
    });
    socket.once("close", done);
    socket.once("error", done);
    // A console that waits for the whole body never answers: fail instead of hanging.
    setTimeout(done, 10_000).unref();
  });
}

const open = () =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });

describe("request body limits", () => {
  it("a sign-in declaring a 200 MiB body is answered 413 before the body is sent", async () => {
    const socket = await open();
    const head = responseHead(socket);
    socket.write(
      "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 209715200\r\n\r\nname=a",
    );
    const started = Date.now();
    const answer = await head;
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.ok(Date.now() - started < 5000);
    socket.destroy();
  });

  it("a chunked body that never ends is cut off at the limit: 413, then the connection is closed although the client is still sending", async () => {
    const socket = await open();
    const head = responseHead(socket);
    const closed = new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
    });
    socket.on("error", () => {});
    socket.write("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\n\r\n");
    const chunk = Buffer.alloc(8 * 1024, "a");
    let sent = 0;
    let stop = false;
    // Keeps sending chunks, never the final zero-length one, until the server hangs up.
    const pump = (async () => {
      while (!stop && !socket.destroyed) {
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        socket.write("\r\n");
        sent += chunk.length;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const answer = await head;
    assert.match(answer, /^HTTP\/1\.1 413 /, "answered while the body was still coming");
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve("timeout"), 10_000));
    assert.equal(await Promise.race([closed.then(() => "closed"), timeout]), "closed", "the server closed the connection");
    stop = true;
    await pump;
    assert.ok(sent > 16 * 1024, `the client had sent ${sent} bytes`);
    socket.destroy();
  });

  it("in-process: over-limit forms and JSON are 413 (HTML for pages, JSON for the API); a hunting query may be larger once signed in", async () => {
    const anonymous = new Agent(world.console);
    const big = "x".repeat(40 * 1024);
    const login = await anonymous.form("/login", { _login: "t", name: "admin", password: big }, { csrf: false });
    assert.equal(login.status, 413);
    assert.match(await login.text(), /larger than this page accepts \(16 KiB\)/);
    // Unauthenticated hunting gets the small limit too.
    assert.equal((await anonymous.form("/hunting", { query: big }, { csrf: false })).status, 413);

    const admin = await signedIn(world, "admin");
    const onboard = await admin.json("POST", "/api/v1/tenants", { name: big });
    assert.equal(onboard.status, 413);
    assert.equal(((await onboard.json()) as { error: { code: string } }).error.code, "payload_too_large");
    assert.equal((await admin.form("/tenants", { name: big })).status, 413);

    // 40 KiB of hunting form (a long query and many tenants) is read; the route itself then judges it.
    const tenant = world.info.tenants[0]!.id;
    const hunt = await admin.form("/hunting", { query: "DeviceInfo | take 1", tenant: Array.from({ length: 900 }, () => tenant) });
    assert.notEqual(hunt.status, 413);
    const tooLong = await admin.form("/hunting", { query: big, tenant });
    assert.equal(tooLong.status, 400);
    assert.match(await tooLong.text(), /longer than 10,000 characters/);
    assert.equal((await admin.form("/hunting", { query: "x".repeat(300 * 1024), tenant })).status, 413);
  });
});
