import type { Session } from "../../sessions.js";
import { ROLES, type UserRecord } from "../../users-file.js";
import { options, timeCell } from "../format.js";
import { html } from "../html.js";
import { csrfField, layout, type PageOptions } from "../layout.js";

export function usersPage(session: Session, users: readonly UserRecord[], flash?: PageOptions["flash"]): string {
  const rows = users.map(
    (u) =>
      html`<tr><td>${u.name}</td><td>${u.role}</td><td>${timeCell(u.createdAt)}</td><td>${
        u.name === session.user
          ? html`<span class="muted">you</span>`
          : html`<form method="post" action="/users/${encodeURIComponent(u.name)}/delete">${csrfField(session)}<button type="submit" class="secondary">Remove ${u.name}</button></form>`
      }</td></tr>`,
  );
  return layout(
    session,
    { title: "Users", section: "users", flash },
    html`<div class="table-wrap"><table id="users"><thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Added</th><th scope="col"></th></tr></thead><tbody>${rows}</tbody></table></div>
<h2>Add or change a user</h2>
<form class="card stack" method="post" action="/users">${csrfField(session)}
<label for="u-name">Name<input id="u-name" name="name" required maxlength="64" pattern="[A-Za-z0-9._@\\-]+" autocomplete="off"></label>
<label for="u-password">Password (at least 12 characters)<input id="u-password" name="password" type="password" required minlength="12" autocomplete="new-password"></label>
<label for="u-role">Role<select id="u-role" name="role">${options(ROLES, "viewer")}</select></label>
<p class="muted">viewer: read everything · responder: also update alerts and run response actions · admin: also onboard tenants and manage users.</p>
<div><button type="submit">Save user</button></div></form>`,
  );
}
