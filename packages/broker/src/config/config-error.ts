/** A configuration problem, worded for the operator who has to fix it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
