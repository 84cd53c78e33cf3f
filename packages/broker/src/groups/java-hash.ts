/**
 * Which `__consumer_offsets` partition holds a group. Kafka takes the group id's Java
 * `String.hashCode` (over UTF-16 code units, wrapping at 32 bits), its absolute value with
 * `Integer.MIN_VALUE` mapped to 0 (Kafka's `Utils.abs`), modulo the partition count. Tools
 * that compute a group's coordinator partition themselves agree with us only if we match it.
 */
export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** Kafka's Utils.abs: Math.abs, except that Integer.MIN_VALUE (which has none) becomes 0. */
export function javaAbs(value: number): number {
  return value === -0x8000_0000 ? 0 : Math.abs(value);
}

export function partitionForGroup(groupId: string, partitionCount: number): number {
  return javaAbs(javaStringHashCode(groupId)) % partitionCount;
}
