import { deleteCookie, setCookie } from "hono/cookie";
import type { ConsoleContext } from "./env.js";

/**
 * HttpOnly, SameSite=Strict, Path=/ always; Secure (and the `__Host-` name
 * prefix, which requires it) everywhere but plain-http loopback.
 */
export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}

export function setStrictCookie(c: ConsoleContext, name: string, value: string, secure: boolean, maxAgeSec?: number): void {
  setCookie(c, name, value, {
    httpOnly: true,
    secure,
    sameSite: "Strict",
    path: "/",
    ...(maxAgeSec !== undefined ? { maxAge: maxAgeSec } : {}),
  });
}

export function clearCookie(c: ConsoleContext, name: string, secure: boolean): void {
  deleteCookie(c, name, { path: "/", secure, httpOnly: true, sameSite: "Strict" });
}
