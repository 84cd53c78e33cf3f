/**
 * Bounds on what input can make this package allocate. Array counts and lengths need no
 * limit of their own: each is checked against the bytes actually present.
 */

/** Largest decompressed size of one record batch's records; a gzip bomb stops here. */
export const decompressedBatchBytesMax = 64 * 1024 * 1024;
