/**
 * Plays the customer's Global Administrator on the emulator's consent page, over
 * plain HTTP(S) like a browser would (packages/emulator/src/entra/consent-page.ts):
 * GET the consent link, read the form's hidden `session` field and its action,
 * POST `session`, `tenant` and `decision=accept`, and read the redirect.
 */
import { request } from "node:https";

interface HttpAnswer {
  status: number;
  location: string | undefined;
  body: string;
}

function send(url: string, ca: string, method: "GET" | "POST", form?: URLSearchParams): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const body = form?.toString();
    const req = request(
      url,
      {
        method,
        ca,
        headers:
          body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function attribute(html: string, pattern: RegExp): string | undefined {
  const raw = pattern.exec(html)?.[1];
  return raw?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, "&");
}

/** Accepts the consent link for `tenantId`; returns the redirect the customer's browser would follow. */
export async function acceptConsent(link: string, tenantId: string, ca: string): Promise<URL> {
  const page = await send(link, ca, "GET");
  if (page.status !== 200) throw new Error(`the consent page answered ${page.status}`);
  const session = attribute(page.body, /name="session" value="([^"]*)"/);
  const action = attribute(page.body, /<form method="post" action="([^"]*)"/);
  if (!session || !action) throw new Error("the consent page has no consent form");
  const answer = await send(
    new URL(action, link).toString(),
    ca,
    "POST",
    new URLSearchParams({ session, tenant: tenantId, decision: "accept" }),
  );
  if (answer.status !== 302 || !answer.location) throw new Error(`the consent form answered ${answer.status} without a redirect`);
  return new URL(answer.location);
}
