/**
 * The one hash: 32-bit FNV-1a over UTF-16 code units. Claim groups, due-index
 * shards and the inbox's fingerprints depend on it, and are stored: it must never
 * change, or messages and stored entries would no longer be found where they are.
 */
export function fnv1a32(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}
