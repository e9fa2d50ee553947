// The console in-process over a bench store, signed in as a viewer the way a
// browser does it (sign-in form token, then the session cookie): what the
// console benchmarks measure their requests through.
import { join } from "node:path";
import { type Clock, createPartnerClient } from "@mde-partner/client";
import { addUser, createConsole } from "@mde-partner/server";
import type { Store } from "@mde-partner/sync";

const ORIGIN = "http://127.0.0.1:8080";

export async function signedInConsole(store: Store, dir: string, options: { userAgent: string; clock?: Clock }) {
  // The pages measured never call the MDE API: the partner client only has to exist.
  const partner = createPartnerClient({
    clientId: "11111111-2222-4333-8444-555555555555",
    credential: { clientSecret: "unused" },
    cloud: { name: "custom", loginUrl: "https://127.0.0.1:9/", apiUrl: "https://127.0.0.1:9/" },
    userAgent: options.userAgent,
  });
  const usersFile = join(dir, "users.json");
  await addUser(usersFile, { name: "bench", password: "bench-password-1", role: "viewer" });
  const app = createConsole({
    store,
    partner,
    requiredPermissions: ["Alert.Read.All"],
    consentRedirectUri: `${ORIGIN}/consent/callback`,
    usersFile,
    tls: false,
    ...(options.clock ? { clock: options.clock } : {}),
  }).app;
  const form = await app.request(`${ORIGIN}/login`);
  const loginCookie = (form.headers.get("set-cookie") ?? "").split(";")[0]!;
  const token = /name="_login" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const signedIn = await app.request(`${ORIGIN}/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: loginCookie },
    body: new URLSearchParams({ _login: token, name: "bench", password: "bench-password-1", next: "/overview" }),
  });
  const session = signedIn.headers
    .getSetCookie()
    .find((c) => c.startsWith("mdep-session="))
    ?.split(";")[0];
  if (signedIn.status !== 303 || !session) throw new Error(`sign-in failed: ${signedIn.status}`);
  /** GET of a console path with the session; anything but 200 throws. */
  const get = async (path: string) => {
    const res = await app.request(`${ORIGIN}${path}`, { headers: { cookie: session } });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return res;
  };
  return { app, session, get, close: () => partner.close() };
}
