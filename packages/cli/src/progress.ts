// An import's progress on stderr (stdout stays the summary's): in a terminal, a bar redrawn in
// place (cli-progress); otherwise (a pipe, a file, CI) one line every few seconds, which a log
// keeps readable.

export type Progress = { update(done: number): void; stop(): void };

/** How often a line is written when stderr is not a terminal. */
export const LINE_INTERVAL_MS = 3_000;

export async function startProgress(
  label: string,
  total: number | undefined,
  stream: NodeJS.WriteStream = process.stderr,
): Promise<Progress> {
  // Without a total (stdin), the line every few seconds, in a terminal too.
  if (stream.isTTY && total !== undefined) {
    // A CommonJS package: Node gives its module.exports as the default export.
    const { SingleBar, Presets } = (await import('cli-progress')).default;
    const bar = new SingleBar(
      {
        stream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} lines | {duration_formatted} | eta {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (done) => bar.update(done), stop: () => bar.stop() };
  }
  const started = Date.now();
  let done = 0;
  const line = () =>
    stream.write(
      `${label}: ${done}${total === undefined ? '' : `/${total}`} lines, ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  line();
  // Not holding the process open: the import's requests do.
  const timer = setInterval(line, LINE_INTERVAL_MS);
  timer.unref();
  return {
    update: (value) => {
      done = value;
    },
    stop: () => clearInterval(timer),
  };
}
