import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import type { Clock } from "./clock.js";
import { createRsaCertificate, thumbprintSha1 } from "./pki.js";

/** One token-signing key with the certificate Entra publishes for it. */
export interface SigningKey {
  /** `kid` — like Entra, the certificate's SHA-1 thumbprint (so `kid` = `x5t`). */
  kid: string;
  x5t: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** base64 DER certificate for the JWKS `x5c` array. */
  x5c: string;
  createdAt: number;
  /** When set, the key is retired: still in the JWKS until then, never used to sign. */
  retiredUntil?: number;
}

export interface SigningKeyRing {
  /** The key new tokens are signed with. */
  current(): SigningKey;
  /** Every key a token may legitimately carry right now (current + in grace). */
  published(): SigningKey[];
  find(kid: string): SigningKey | undefined;
  /** Makes a new key current; the old one stays published for `graceMs`. */
  rotate(graceMs: number): Promise<SigningKey>;
}

async function newKey(now: number): Promise<SigningKey> {
  const bundle = await createRsaCertificate("accounts.emulator.mde-partner.local", now, 5);
  const privateKey = createPrivateKey(bundle.keyPem);
  const x5t = thumbprintSha1(bundle.der);
  return {
    kid: x5t,
    x5t,
    privateKey,
    publicKey: createPublicKey(privateKey),
    x5c: bundle.der.toString("base64"),
    createdAt: now,
  };
}

export async function createSigningKeyRing(clock: Clock): Promise<SigningKeyRing> {
  const keys: SigningKey[] = [await newKey(clock.now())];
  const live = () => {
    const now = clock.now();
    return keys.filter((k) => k.retiredUntil === undefined || k.retiredUntil > now);
  };
  return {
    current: () => keys[keys.length - 1] as SigningKey,
    published: () => live(),
    find: (kid) => live().find((k) => k.kid === kid),
    rotate: async (graceMs) => {
      const now = clock.now();
      const previous = keys[keys.length - 1];
      if (previous) previous.retiredUntil = now + graceMs;
      const key = await newKey(now);
      keys.push(key);
      return key;
    },
  };
}
