/**
 * A mistake in the command line, found before anything is sent: a flag's value of the wrong type
 * or outside the spec's limits, a missing field, `--data` that is not JSON. The CLI exits 2 with
 * the command's usage, as for an unknown flag.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
