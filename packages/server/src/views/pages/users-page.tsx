/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Session } from "../../sessions.js";
import { ROLES, type UserRecord } from "../../users-file.js";
import { Options, PostForm, Table, Time } from "../components.js";
import { text } from "../html.js";
import { layout, type PageOptions } from "../layout.js";

export function usersPage(session: Session, users: readonly UserRecord[], flash?: PageOptions["flash"]): string {
  return layout(
    session,
    { title: "Users", section: "users", flash },
    <>
      <Table
        id="users"
        rows={users}
        columns={[
          { head: "Name", cell: (u) => u.name },
          { head: "Role", cell: (u) => u.role },
          { head: "Added", cell: (u) => <Time iso={u.createdAt} /> },
          {
            head: "",
            cell: (u) =>
              u.name === session.user ? (
                <span class="muted">you</span>
              ) : (
                <PostForm action={`/users/${encodeURIComponent(u.name)}/delete`} session={session}>
                  <button type="submit" class="secondary">Remove {text(u.name)}</button>
                </PostForm>
              ),
          },
        ]}
      />
      <h2>Add or change a user</h2>
      <PostForm action="/users" session={session} class="card stack">
        <label for="u-name">
          Name
          <input id="u-name" name="name" required maxlength={64} pattern="[A-Za-z0-9._@\-]+" autocomplete="off" />
        </label>
        <label for="u-password">
          Password (at least 12 characters)
          <input id="u-password" name="password" type="password" required minlength={12} autocomplete="new-password" />
        </label>
        <label for="u-role">
          Role
          <select id="u-role" name="role">
            <Options values={ROLES} selected="viewer" />
          </select>
        </label>
        <p class="muted">viewer: read everything · responder: also update alerts and run response actions · admin: also onboard tenants and manage users.</p>
        <div>
          <button type="submit">Save user</button>
        </div>
      </PostForm>
    </>,
  );
}
