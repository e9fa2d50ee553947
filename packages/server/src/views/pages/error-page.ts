import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { html } from "../html.js";
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
  const link = status === 401 ? html`<p><a href="/login">Sign in</a></p>` : html`<p><a href="/">Back to the console</a></p>`;
  return layout(session, { title }, html`<p class="error-message" id="error-message">${clip(message, 2_000)}</p>${link}`);
}
