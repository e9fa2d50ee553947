/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { text } from "../html.js";
import { layout } from "../layout.js";

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Signed out",
  403: "Not allowed",
  404: "Not found",
  413: "Request too large",
  500: "Something went wrong",
};

/** A plain error page (with navigation when signed in). */
export function errorPage(session: Session | undefined, status: number, message: string): string {
  const title = TITLES[status] ?? "Error";
  return layout(
    session,
    { title },
    <>
      <p class="error-message" id="error-message">{text(clip(message, 2_000))}</p>
      <p>{status === 401 ? <a href="/login">Sign in</a> : <a href="/">Back to the console</a>}</p>
    </>,
  );
}
