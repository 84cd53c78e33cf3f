import type { VersionRange } from '../schema/types.js';

/** Whether `version` lies in a schema range; an omitted range means every version. */
export function inVersions(range: VersionRange | undefined, version: number): boolean {
  if (range === undefined) return true;
  if (range.endsWith('+')) return version >= Number(range.slice(0, -1));
  const dash = range.indexOf('-');
  if (dash < 0) return version === Number(range);
  return version >= Number(range.slice(0, dash)) && version <= Number(range.slice(dash + 1));
}
