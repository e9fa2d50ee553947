/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { html } from "hono/html";
import { text } from "../html.js";
import { layout } from "../layout.js";

/**
 * How to get back in: a one-time sign-in link works once, so after signing out
 * an operator needs a name and password (the demo prints one in its terminal).
 * Constant markup without values, so Hono's `html` template keeps it as written.
 */
const SIGN_IN_HELP = html`<section class="card" id="sign-in-help"><h2>Getting back in</h2>
<p>Sign in with your operator name and password. A one-time sign-in link works only once.</p>
<ul><li>No operator account yet? On the machine that runs the console, run <code>mde-partner users add NAME --role admin</code> (with the console's <code>MDE_PARTNER_HOME</code>; it asks for the password), then sign in here.</li>
<li>Running <code>mde-partner demo</code> (<code>npm start</code>)? Its terminal shows a demo operator's name and password on the line <q>sign in again</q>.</li></ul></section>`;

/** After sign-out when the console signs in with Entra ID only (no local accounts). */
const SSO_ONLY_HELP = html`<section class="card" id="sign-in-help"><h2>Getting back in</h2>
<p>Sign in with your Microsoft work account. Your console role comes from the app roles your Entra ID administrator assigned you (Console.Viewer, Console.Responder or Console.Admin).</p></section>`;

export function loginPage(model: {
  csrf: string;
  next: string;
  /** Offer "Sign in with Microsoft" (the console signs in with Entra ID). */
  sso?: boolean | undefined;
  /** Show the local accounts' form (default true). */
  localAccounts?: boolean | undefined;
  message?: string | undefined;
  name?: string | undefined;
  info?: string | undefined;
  /** After sign-out or a used-up one-time link: say how to get back in. */
  help?: boolean | undefined;
}): string {
  return layout(
    undefined,
    {
      title: "Sign in",
      flash: model.message ? { kind: "error", text: model.message } : model.info ? { kind: "info", text: model.info } : undefined,
    },
    <>
      {model.sso && (
        // A link, not a form: the CSP's `form-action 'self'` would stop a form's redirect to Entra ID.
        <section class="card stack" id="sso">
          <div>
            <a class="button" id="sign-in-sso" href={`/login/sso?next=${encodeURIComponent(model.next)}`}>Sign in with Microsoft</a>
          </div>
        </section>
      )}
      {model.localAccounts !== false && (
        <form class="card stack" method="post" action="/login" id="login-form">
          <input type="hidden" name="_login" value={text(model.csrf)} />
          <input type="hidden" name="next" value={text(model.next)} />
          <label for="name">
            User name
            <input id="name" name="name" autocomplete="username" required value={text(model.name ?? "")} autofocus={!model.sso} />
          </label>
          <label for="password">
            Password
            <input id="password" name="password" type="password" autocomplete="current-password" required />
          </label>
          <div>
            <button type="submit" id="sign-in">{model.sso ? "Sign in with a local account" : "Sign in"}</button>
          </div>
        </form>
      )}
      {model.help && (model.localAccounts === false ? SSO_ONLY_HELP : SIGN_IN_HELP)}
    </>,
  );
}

/**
 * The answer to a successful sign-in with Entra ID: a page that moves on to
 * `next` itself (the `Refresh` header the route sets, and a link). Not a
 * redirect: the callback arrives from Entra ID's site, and a browser does not
 * send the SameSite=Strict session cookie on a redirect that chain started, so
 * the operator would land on the sign-in page again.
 */
export function signedInPage(next: string): string {
  return layout(
    undefined,
    { title: "Signed in" },
    <p>
      You are signed in. <a href={text(next)} id="continue">Continue</a>
    </p>,
  );
}
