import { html } from "../html.js";
import { layout } from "../layout.js";

export function loginPage(model: {
  csrf: string;
  next: string;
  message?: string | undefined;
  name?: string | undefined;
  info?: string | undefined;
}): string {
  return layout(
    undefined,
    {
      title: "Sign in",
      flash: model.message ? { kind: "error", text: model.message } : model.info ? { kind: "info", text: model.info } : undefined,
    },
    html`<form class="card stack" method="post" action="/login" id="login-form">
  <input type="hidden" name="_login" value="${model.csrf}">
  <input type="hidden" name="next" value="${model.next}">
  <label for="name">User name<input id="name" name="name" autocomplete="username" required value="${model.name ?? ""}" autofocus></label>
  <label for="password">Password<input id="password" name="password" type="password" autocomplete="current-password" required></label>
  <div><button type="submit" id="sign-in">Sign in</button></div>
</form>`,
  );
}
