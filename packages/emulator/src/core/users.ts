import type { Random } from "./random.js";

/**
 * A user of the partner's home tenant who can sign in to the partner's apps
 * (the console) through the authorize endpoint.
 *
 * `roles` are the app roles assigned to the user on the app's service principal
 * (the ID token's `roles` claim); an empty list means "not assigned", which an app
 * that requires assignment refuses with AADSTS50105. `groups` are the object ids of
 * the security groups the user is a member of (the `groups` claim).
 */
export interface DirectoryUser {
  /** The UPN, `admin@partnermssp.onmicrosoft.com`; compared case-insensitively. */
  username: string;
  password: string;
  displayName: string;
  /** Object id in the home tenant (`oid`). */
  oid: string;
  roles: string[];
  groups: string[];
  /** Registered for MFA: the sign-in reports `amr` `["pwd","mfa"]` instead of `["pwd"]`. */
  mfa: boolean;
  /** Bumped on every password change: SSO sessions from before the change stop working. */
  passwordVersion: number;
}

/** A security group of the home tenant (for the ready line; membership lives on the user). */
export interface DirectoryGroup {
  id: string;
  displayName: string;
}

/** The app roles the partner console defines (its manifest's `appRoles[].value`). */
export const CONSOLE_APP_ROLES = ["Console.Admin", "Console.Responder", "Console.Viewer"] as const;

/**
 * The home tenant's generated people, deterministic per seed: an admin, a
 * responder, a viewer, one user with no app role and one viewer without MFA,
 * in three groups.
 */
export function generatePartnerDirectory(random: Random, domain: string): { users: DirectoryUser[]; groups: DirectoryGroup[] } {
  const groups: DirectoryGroup[] = [
    { id: random.guid(), displayName: "MSSP Admins" },
    { id: random.guid(), displayName: "SOC Responders" },
    { id: random.guid(), displayName: "SOC Analysts" },
  ];
  const [admins, responders, analysts] = groups.map((g) => g.id) as [string, string, string];
  const user = (local: string, displayName: string, roles: string[], memberOf: string[], mfa = true): DirectoryUser => ({
    username: `${local}@${domain}`,
    // Letters, digits and a symbol from the seed, so every run of the same seed signs in alike.
    password: `${random.hex(6)}-${Buffer.from(random.hex(16), "hex").toString("base64url")}!`,
    displayName,
    oid: random.guid(),
    roles,
    groups: memberOf,
    mfa,
    passwordVersion: 1,
  });
  const users = [
    user("admin", "Avery Admin", ["Console.Admin"], [admins, analysts]),
    user("responder", "Riley Responder", ["Console.Responder"], [responders, analysts]),
    user("viewer", "Val Viewer", ["Console.Viewer"], [analysts]),
    user("norole", "Noel Norole", [], []),
    user("nomfa", "Nico Nomfa", ["Console.Viewer"], [analysts], false),
  ];
  return { users, groups };
}

/** Finds a user by UPN (case-insensitive). */
export function findUser(users: ReadonlyMap<string, DirectoryUser>, username: string): DirectoryUser | undefined {
  return users.get(username.trim().toLowerCase());
}
