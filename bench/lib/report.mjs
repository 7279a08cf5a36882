// The table: one row per figure, with the issue's target (issue 10) and whether it is met.

const ms = (value) => `${value.toFixed(3)} ms`;
const ratio = (value) => `${value.toFixed(2)}×`;
const int = (value) => Math.round(value).toLocaleString('en-US');
const met = (ok) => (ok === undefined ? '—' : ok ? 'yes' : '**no**');

function failedRow(measure, target, error) {
  return [measure, `error: ${String(error?.message ?? error).split('\n')[0]}`, target, 'no'];
}

/** Per-call rows: every client's cost and ratio to raw fetch; @codex/node against every peer. */
function perCallRows(perCall, on = '') {
  if (perCall.error) return [failedRow(`Per call${on}: all clients`, 'codex ≤ ky and ≤ openai', perCall.error)];
  const r = perCall.results;
  const rel = (name) => r[name].ratio;
  const codex = rel('@codex/node default');
  const peers = Math.min(
    ...Object.keys(r)
      .filter((name) => /^(ky|openai) /.test(name))
      .map(rel),
  );
  return Object.keys(r).map((name) => {
    const isCodex = name === '@codex/node default';
    const slowest = r[name].max > 2 * r[name].median ? `; slowest block ${ms(r[name].max)}` : '';
    return [
      `Per call${on}: ${name}`,
      `${ms(r[name].median)} (${ratio(rel(name))})${slowest}`,
      isCodex ? '≤ ky and ≤ openai' : name === 'raw fetch' ? 'baseline' : 'peer',
      isCodex ? met(codex <= peers) : '—',
    ];
  });
}

function coldImportRow(coldImport, on = '') {
  if (coldImport.error) return failedRow(`Cold import('@codex/node')${on}`, '≤ 1.5×', coldImport.error);
  const x = coldImport.import / coldImport.empty;
  return [
    `Cold import('@codex/node') vs empty node${on}`,
    `${int(coldImport.import)} ms vs ${int(coldImport.empty)} ms (${ratio(x)})`,
    '≤ 1.5×',
    met(x <= 1.5),
  ];
}

export function rows({ perCall, coldImport, cliHelp, onNode, bundle, bulk, autoBatching, expiry, manyKeys }) {
  const out = [...perCallRows(perCall), coldImportRow(coldImport)];
  if (cliHelp?.error) out.push(failedRow('Cold start: codex --help', '≤ 1.5× (issue 23)', cliHelp.error));
  else if (cliHelp) {
    const x = cliHelp.help / cliHelp.empty;
    out.push([
      'Cold start: `codex --help` vs empty node',
      `${int(cliHelp.help)} ms vs ${int(cliHelp.empty)} ms (${ratio(x)})`,
      '≤ 1.5× (issue 23)',
      met(x <= 1.5),
    ]);
  }
  // The same on other Node majors (issue 22), with the peers' current majors beside the pinned ones.
  for (const [major, result] of Object.entries(onNode ?? {})) {
    if (result.error) out.push(failedRow(`Node ${major}: per call and cold import`, '—', result.error));
    else
      out.push(
        ...perCallRows(result.perCall, ` on Node ${result.node}`),
        coldImportRow(result.coldImport, ` on Node ${result.node}`),
      );
  }
  if (bundle.error) out.push(failedRow('Browser bundle', '≤ 10,000 B (10 kB, as size-limit counts)', bundle.error));
  else
    out.push([
      'Browser bundle: Client + documents.list(), min + gzip -9',
      `${int(bundle.gzip)} B (minified ${int(bundle.minified)} B)`,
      '≤ 10,000 B (10 kB, as size-limit counts)',
      met(bundle.gzip <= 10_000),
    ]);
  if (bundle.ky)
    out.push([
      'For comparison: ky 1.14.3 alone, ky.get().json(), min + gzip -9',
      `${int(bundle.ky.gzip)} B (minified ${int(bundle.ky.minified)} B)`,
      '—',
      '—',
    ]);
  if (bulk.error && !bulk.n) out.push(failedRow('Bulk throughput', '≥ 95%, 0, 0, 0', bulk.error));
  else {
    const quota = `${int(bulk.n)} creates, ${bulk.limit} req / ${bulk.windowSeconds} s`;
    out.push([
      `Bulk throughput (${quota})`,
      `${int(bulk.opsPerSecond)} ops/s = ${(bulk.share * 100).toFixed(1)}% of ${int(bulk.ceiling)} (${bulk.seconds.toFixed(1)} s)${bulk.error ? `; batch rejected: ${bulk.error}` : ''}`,
      '≥ 95%',
      met(bulk.share >= 0.95),
    ]);
    out.push(['Bulk: failed operations', int(bulk.failed), '0', met(bulk.failed === 0)]);
    out.push([
      'Bulk: duplicates on the server',
      `${int(bulk.duplicates)} (${int(bulk.stored)} stored, ${int(bulk.missing)} missing)`,
      '0',
      met(bulk.duplicates === 0),
    ]);
    out.push([
      'Bulk: 429s after the first window',
      `${int(bulk.tooManyAfterFirstWindow)} (${int(bulk.tooMany)} in all, ${int(bulk.requests)} requests)`,
      '0',
      met(bulk.tooManyAfterFirstWindow === 0),
    ]);
  }
  if (autoBatching) out.push(...autoBatchingRows(autoBatching));
  if (expiry.error) out.push(failedRow('Token requests at expiry', '= 1', expiry.error));
  else
    out.push([
      `Token requests: ${int(expiry.calls)} concurrent calls at expiry`,
      `${expiry.tokenRequests} (${int(expiry.requests)} requests, ${int(expiry.unauthorized)} × 401, ${int(expiry.failed)} calls failed; ${expiry.seconds.toFixed(1)} s)`,
      '= 1',
      met(expiry.tokenRequests === 1),
    ]);
  if (manyKeys) out.push(...manyKeysRows(manyKeys));
  return out;
}

const pct = (share) => `${(share * 100).toFixed(1)}%`;
const s = (seconds) => `${seconds.toFixed(1)} s`;

/** What a run's calls and requests came to (see bench/lib/auto-batching.mjs). */
function sent(run) {
  const kinds = [`${run.tokens} token`, `${int(run.singles)} single`, ...(run.batches ? [`${run.batches} batch`] : [])];
  return `${int(run.requests)} requests (${kinds.join(', ')}), ${int(run.tooMany)} × 429, ${int(run.failed)} failed${run.firstError ? ` (${run.firstError})` : ''}`;
}

/** Issue 20's auto-batching: concurrent single creates, 'auto' against 'off' (bench/lib/auto-batching.mjs). */
function autoBatchingRows(a) {
  if (a.error) return [failedRow("Auto-batching: concurrent single creates, batching 'auto'", '≥ 90%', a.error)];
  const { auto, off, burst } = a;
  const quota = `${int(a.n)} concurrent single creates, ${a.limit} req / ${a.windowSeconds} s`;
  const documents = (run) =>
    run.allCreated
      ? `all ${int(run.n)} created, each call its own document`
      : `**${int(run.created)} of ${int(run.n)} created** (${run.mismatched} with another call's document)`;
  return [
    [
      `Auto-batching (${quota}): batching 'auto' (the default), share of the batch ceiling`,
      `${int(auto.opsPerSecond)} ops/s = ${pct(auto.share)} of ${int(a.ceiling)} (${s(auto.seconds)}, of which ${s(auto.startedSeconds)} starting the calls: ` +
        `${pct(auto.shareAfterStart)} counted from the end of that); ` +
        `${sent(auto)}; ${documents(auto)}`,
      '≥ 90%, 0 failed',
      met(auto.share >= 0.9 && auto.failed === 0 && auto.allCreated),
    ],
    [
      `Auto-batching: the same calls with batching 'off', cut after 'auto''s ${s(off.cutSeconds)}`,
      `${int(off.created)} created = ${off.opsPerSecond.toFixed(1)} ops/s = ${pct(off.share)} of ${int(a.ceiling)}; ${sent(off)}, ` +
        `${int(off.aborted)} aborted at the cut; all ${int(a.n)}: ${int(off.extrapolatedSeconds)} s (extrapolated: 1 per request, ${off.perWindow} requests a window)`,
      'for comparison',
      '—',
    ],
    [
      `Auto-batching: ${int(burst.n)} concurrent single creates at ${burst.limit} req / ${a.windowSeconds} s (issue 20's test), server windows`,
      `${burst.windowsSeen.length} (${burst.windowsSeen.map((w) => w.requests).join(' + ')} requests; ${s(burst.seconds)}); ${sent(burst)}; ${documents(burst)}`,
      '≤ 3 windows, ≤ 120 requests, 0 failed',
      met(burst.windowsSeen.length <= 3 && burst.requests <= 120 && burst.failed === 0 && burst.allCreated),
    ],
  ];
}

/** Issue 19's targets for many keys in one Redis (see bench/lib/many-keys.mjs). */
function manyKeysRows(m) {
  if (m.error) return [failedRow('Many keys in one Redis', 'each key paced, ≤ 2 commands a call', m.error)];
  const setup = `${m.keys} keys × ${m.workers} processes, ${m.limit} req / ${m.windowSeconds} s each`;
  return [
    [
      `Many keys (${setup}): served, share of the ${m.keys} ceilings`,
      `${int(m.served)} of ${int(m.keys * m.windows * m.limit)} = ${pct(m.share)} (least key ${pct(m.minKeyShare)}; ` +
        `the token requests leave at most ${pct(m.bestShare)}); after the first window ${pct(m.shareAfterFirst)}; ${int(m.failed)} failed`,
      '≥ 95% after the first window, 0 failed',
      met(m.shareAfterFirst >= 0.95 && m.failed === 0),
    ],
    [
      "Many keys: each key paced separately (429s; most requests in one window of a key, by the log's ms)",
      `${int(m.tooMany)} × 429; ${m.mostInAWindow} of ${m.limit}`,
      // The server's own count is the authority: a request over its limit is a 429. The log's times
      // are when each request was logged, a ms or so off the server's count at a window's edge.
      '0 × 429',
      met(m.tooMany === 0),
    ],
    [
      'Many keys: token requests per key',
      `at most ${m.mostTokensPerKey} (${int(m.tokens)} in all, ${m.windows * m.windowSeconds} s of ${m.lifetimeSeconds}-s tokens)`,
      `≤ ${m.tokensAllowedPerKey} (one per lifetime)`,
      met(m.mostTokensPerKey <= m.tokensAllowedPerKey),
    ],
    [
      'Many keys: Redis round trips per API call',
      `${m.quotaPerRequest.toFixed(2)} per request sent on the hot path (TAKE, OBSERVE; waits included); ` +
        `${m.refreshPerToken.toFixed(1)} per token request on the refresh path; ${m.roundTripsPerCall.toFixed(2)} per call in all`,
      '≤ 2 on the hot path',
      met(m.quotaPerRequest <= 2),
    ],
  ];
}

export function markdownTable(tableRows, header = ['Measure', 'Result', 'Target (issue 10)', 'Met']) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...tableRows.map(line)].join('\n');
}

/** Where the browser bundle's bytes go: each module's gzip cost on top of the rest. */
export function bundleBreakdown(bundle) {
  if (!bundle.modules?.length) return 'Not measured in this run.';
  const total = bundle.modules.reduce((sum, m) => sum + m.gzip, 0);
  return markdownTable(
    [
      ...bundle.modules.map((m) => [`\`${m.module}\``, int(m.gzip)]),
      ['Sum (gzip shares context between modules, so it is less than the bundle)', int(total)],
    ],
    ['Source module', 'Cost: bundle gzip bytes minus those without it'],
  );
}
