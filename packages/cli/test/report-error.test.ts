import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { describeError, reportError } from '../src/report-error';

// An error as the one line a failed command prints (issue 23: the code and the request id).

class FakeAPIError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

describe('describeError', () => {
  it("an APIError's message already says status, code and request id", () => {
    const error = new FakeAPIError('404 not_found: No such document. (request req_1)', 404, 'not_found', 'req_1');
    expect(describeError(error)).toBe('404 not_found: No such document. (request req_1)');
  });

  it('adds what a message leaves out', () => {
    expect(describeError(new FakeAPIError('Slow down.', 429, 'rate_limited'))).toBe('429 rate_limited: Slow down.');
    expect(describeError(new FakeAPIError('Bad gateway', 502, 'http_502', 'req_2'))).toBe(
      '502 http_502: Bad gateway (request req_2)',
    );
  });

  it("the SDK's own errors: their code, then the message, on one line", () => {
    const error = Object.assign(new Error('No API key found.\nSet CODEX_API_KEY.'), { code: 'missing_credentials' });
    expect(describeError(error)).toBe('missing_credentials: No API key found. Set CODEX_API_KEY.');
    expect(describeError('thrown text')).toBe('thrown text');
    // Node's errors start with their code already.
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), { code: 'ENOENT' });
    expect(describeError(enoent)).toBe("ENOENT: no such file or directory, open 'x'");
  });
});

describe('reportError', () => {
  const sink = () => {
    let text = '';
    const write = (chunk: string) => {
      text += chunk;
      return true;
    };
    return { stream: { write } as unknown as NodeJS.WritableStream, text: () => text };
  };

  it('exit 0 for help and version, 2 for usage errors, printing nothing more', () => {
    const out = sink();
    expect(reportError(new CommanderError(0, 'commander.helpDisplayed', ''), false, out.stream)).toBe(0);
    expect(reportError(new CommanderError(0, 'commander.version', ''), false, out.stream)).toBe(0);
    expect(reportError(new CommanderError(1, 'commander.unknownOption', ''), false, out.stream)).toBe(2);
    expect(reportError(new CommanderError(2, 'codex.usage', ''), false, out.stream)).toBe(2);
    expect(reportError(new CommanderError(1, 'commander.help', ''), false, out.stream)).toBe(2);
    // `codex help` asks for it (exit code 0); `codex` alone shows it as a usage error (1).
    expect(reportError(new CommanderError(0, 'commander.help', '(outputHelp)'), false, out.stream)).toBe(0);
    expect(out.text()).toBe('');
  });

  it('exit 1 with one line; --verbose adds the stack and causes', () => {
    const quiet = sink();
    const error = new Error('outer', { cause: new Error('inner') });
    expect(reportError(error, false, quiet.stream)).toBe(1);
    expect(quiet.text()).toBe('error: outer\n');
    const verbose = sink();
    reportError(error, true, verbose.stream);
    expect(verbose.text()).toMatch(/^error: outer\nError: outer\n\s+at [\s\S]*\nCaused by:\nError: inner\n/);
  });
});
