/**
 * Stable hashes (same value on every machine and run): FNV-1a 32-bit over UTF-16 code units (syscall names are
 * ASCII, so this equals FNV-1a over their bytes), finished with the murmur3 avalanche (fmix32) so the low bits that
 * pick a bucket depend on every input bit.
 */

export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Continues an FNV-1a state over the code units of `s`. */
export function fnv1aUpdate(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

export function fnv1a32(s: string): number {
  return fnv1aUpdate(FNV_OFFSET, s);
}

/** murmur3's 32-bit finaliser. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a state after `a` and a NUL separator: the cached first half of a bigram hash. */
export function bigramPrefix(a: string): number {
  return Math.imul(fnv1aUpdate(FNV_OFFSET, a) ^ 0, FNV_PRIME) >>> 0;
}

/**
 * The bucket of the syscall pair (a, b): fmix32(fnv1a32(a + "\0" + b)) mod `buckets` (a power of two).
 * `prefix` is bigramPrefix(a).
 */
export function bigramBucketFrom(prefix: number, b: string, buckets: number): number {
  return fmix32(fnv1aUpdate(prefix, b)) & (buckets - 1);
}

export function bigramBucket(a: string, b: string, buckets = 64): number {
  return bigramBucketFrom(bigramPrefix(a), b, buckets);
}

/** A 32-bit hash of three 32-bit integers (window offsets). */
export function hash3(a: number, b: number, c: number): number {
  let h = fmix32((a ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ b) >>> 0);
  return fmix32((h ^ c ^ 0x85ebca6b) >>> 0);
}
