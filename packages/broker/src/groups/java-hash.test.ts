import { describe, expect, it } from 'vitest';
import { javaAbs, javaStringHashCode, partitionForGroup } from './java-hash.js';

describe("Java's String.hashCode and the group's offsets partition", () => {
  it('matches values Java computes', () => {
    // Reference values from java.lang.String#hashCode.
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('abc')).toBe(96354);
    expect(javaStringHashCode('Aa')).toBe(javaStringHashCode('BB'));
    expect(javaStringHashCode('BB')).toBe(2112);
    expect(javaStringHashCode('polygenelubricants')).toBe(-0x8000_0000);
    // UTF-16 code units: one astral character is two of them.
    expect(javaStringHashCode('\u{1F600}')).toBe(0xd83d * 31 + 0xde00);
  });

  it("takes Kafka's Utils.abs, so Integer.MIN_VALUE maps to partition 0", () => {
    expect(javaAbs(-0x8000_0000)).toBe(0);
    expect(javaAbs(-5)).toBe(5);
    expect(partitionForGroup('polygenelubricants', 50)).toBe(0);
    expect(partitionForGroup('hello', 50)).toBe(99162322 % 50);
  });
});
