import type { DirectoryGroup, DirectoryUser } from "./users.js";

/** How the authorize endpoint hands the result back (`response_mode`). */
export type ResponseMode = "query" | "fragment" | "form_post";

/** An authorize request waiting for the user to sign in (one sign-in page). */
export interface PendingSignIn {
  tenantId: string;
  clientId: string;
  /** The redirect URI exactly as the request sent it (the token request must repeat it). */
  redirectUri: string;
  responseMode: ResponseMode;
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "plain" | "S256";
  loginHint?: string;
  /** The value of the `esctx` cookie set with the page: the form only counts from the same browser. */
  browserBinding: string;
  expiresAt: number;
}

/** A browser's signed-in state at the emulated STS (the `ESTSAUTH` cookie). */
export interface SsoSession {
  tenantId: string;
  username: string;
  passwordVersion: number;
  /** Epoch seconds of the password entry (`auth_time`). */
  authTime: number;
  amr: string[];
  /** The ID token's `sid`. */
  sid: string;
  expiresAt: number;
}

/** What a code or refresh token stands for: who signed in to which app, with what. */
export interface UserGrant {
  tenantId: string;
  clientId: string;
  username: string;
  scopes: string[];
  authTime: number;
  amr: string[];
  sid: string;
}

export interface AuthorizationCode extends UserGrant {
  redirectUri: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "plain" | "S256";
  expiresAt: number;
  redeemed: boolean;
}

export interface RefreshGrant extends UserGrant {
  expiresAt: number;
}

/** Users, sign-in pages, SSO sessions, codes and refresh tokens: one emulator's interactive sign-in world. */
export interface SignInState {
  /** Home-tenant users by lower-cased UPN. */
  readonly users: Map<string, DirectoryUser>;
  readonly groups: DirectoryGroup[];
  readonly pending: Map<string, PendingSignIn>;
  readonly sessions: Map<string, SsoSession>;
  readonly codes: Map<string, AuthorizationCode>;
  readonly refreshTokens: Map<string, RefreshGrant>;
}

export function createSignInState(users: readonly DirectoryUser[], groups: readonly DirectoryGroup[]): SignInState {
  return {
    users: new Map(users.map((u) => [u.username.toLowerCase(), u])),
    groups: [...groups],
    pending: new Map(),
    sessions: new Map(),
    codes: new Map(),
    refreshTokens: new Map(),
  };
}

/** Drops everything expired (called on each sign-in request; the maps stay small). */
export function sweepSignIn(signIn: SignInState, now: number): void {
  for (const map of [signIn.pending, signIn.sessions, signIn.codes, signIn.refreshTokens] as Map<string, { expiresAt: number }>[]) {
    for (const [key, value] of map) if (value.expiresAt <= now) map.delete(key);
  }
}
