import { CodexError, describeValue } from '@codex/core';

// Checks of the options this package adds to core's (core checks its own, and tokenStore's with
// checkTokenStoreOption), at construction and before anything is read or sent: a wrong value gets
// a CodexError that names the option and what it accepts, not a TypeError from deep inside.

/** A string option that, when given, must be a non-empty string. */
export function checkString(name: string, value: unknown, what: string): void {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new CodexError(`${name} must be ${what}; got ${value === '' ? 'an empty string' : describeValue(value)}.`, {
      code: 'invalid_option',
    });
  }
}
