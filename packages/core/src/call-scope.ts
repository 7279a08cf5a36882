import { type Clock, MAX_TIMER_MS } from './clock';
import { APIConnectionTimeoutError, APIUserAbortError, type CodexError } from './errors';

/**
 * The life of one call: its own AbortSignal, aborted by the caller's signal (through a listener
 * removed at `end()`) or by the deadline, and followed by pacing, token waits, attempts and retry
 * waits. Never combined with AbortSignal.any, which on Node 20 keeps every combination alive as
 * long as a long-lived caller signal (issue 9).
 */
export class CallScope {
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#controller.abort();
  readonly #deadlineTimer: AbortController | undefined;
  readonly #deadline: number | undefined;
  #deadlineHit = false;
  /** When the call must end (ms since the epoch), or Infinity. */
  readonly deadlineAt: number;

  constructor(callerSignal: AbortSignal | undefined, deadline: number | undefined, clock: Clock) {
    this.#callerSignal = callerSignal;
    this.#deadline = deadline;
    callerSignal?.addEventListener('abort', this.#onCallerAbort);
    this.deadlineAt = deadline === undefined ? Infinity : clock.now() + deadline;
    // A deadline past the longest timer (24.8 days) is as good as none: a clamped timer would end the call early.
    if (deadline !== undefined && deadline < MAX_TIMER_MS) {
      const timer = new AbortController();
      this.#deadlineTimer = timer;
      clock.sleep(deadline, timer.signal).then(
        () => {
          this.#deadlineHit = true;
          this.#controller.abort();
        },
        () => {},
      );
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the caller aborted (their choice: not logged as a failure). */
  get abortedByCaller(): boolean {
    return this.#callerSignal?.aborted === true;
  }

  /**
   * The error the call ends with when it was cut short: the caller's abort (a caller's
   * `AbortSignal.timeout()` is a timeout, issue 18), or the deadline. Undefined otherwise.
   */
  interruption(): CodexError | undefined {
    if (this.#callerSignal?.aborted) {
      const reason = this.#callerSignal.reason as { name?: unknown } | undefined;
      return reason?.name === 'TimeoutError'
        ? new APIConnectionTimeoutError('The call was ended by its signal timing out (AbortSignal.timeout).')
        : new APIUserAbortError();
    }
    if (this.#deadlineHit)
      return new APIConnectionTimeoutError(`The call exceeded its deadline of ${this.#deadline} ms.`, {
        code: 'deadline_exceeded',
      });
    return undefined;
  }

  end(): void {
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
    this.#deadlineTimer?.abort();
  }
}
