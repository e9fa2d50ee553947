/**
 * PostgreSQL advisory locks take two int4 keys: a class per purpose (each
 * module names its own, e.g. "MDE" migrations, "MDT" tenant syncs) and this
 * 32-bit FNV-1a hash of a name (schema, tenant id) as the second.
 */
export function advisoryLockKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}
