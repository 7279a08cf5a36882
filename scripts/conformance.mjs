#!/usr/bin/env node
// Conformance gate (`pnpm conformance`, in .ci/run): the dev server and openapi/codex.yaml agree.
//
// Starts @codex/dev-server (built) and two Prism proxies in front of it, all on free ports of
// 127.0.0.1, and drives every operation through them: success and every error status the spec
// lists (scripts/conformance-scenarios.mjs). Fails when
// - Prism reports any violation of the spec, in a request meant to be valid or in any response;
// - a status or error code is not the one expected;
// - a status the spec lists for an operation was not driven (so a new one must get a scenario);
// - the canary passes: a third Prism, given a copy of the spec with one planted violation, must
//   make the same check fail, proving that violations are detected at all.
// Everything started is stopped at the end, whatever happens.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@codex/dev-server';
import { startPrism, violationsOf } from './conformance-prism.mjs';
import { scenarios } from './conformance-scenarios.mjs';

const started = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const SPEC = join(root, 'openapi', 'codex.yaml');
// The YAML parser @codex/codegen already depends on.
const { parse } = createRequire(join(root, 'tooling', 'codegen', 'package.json'))('yaml');
const spec = parse(readFileSync(SPEC, 'utf8'));
const KEYS = {
  rw: { clientId: 'cdx_id_conformance', clientSecret: 'cdx_sk_conformance', readOnly: false },
  ro: { clientId: 'cdx_id_conformance_ro', clientSecret: 'cdx_sk_conformance_ro', readOnly: true },
};

/** operationId -> { method, path, statuses the spec lists } */
function documented() {
  const operations = new Map();
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const operation = item[method];
      if (!operation) continue;
      operations.set(operation.operationId, {
        method: method.toUpperCase(),
        path,
        statuses: Object.keys(operation.responses).map(Number),
      });
    }
  }
  return operations;
}

/** The spec with one planted violation: every X-Request-Id the server sends breaks it. */
function canarySpec(dir) {
  const broken = structuredClone(spec);
  broken.components.headers['X-Request-Id'].schema = { type: 'string', pattern: '^planted-violation$' };
  const file = join(dir, 'codex-canary.json');
  writeFileSync(file, JSON.stringify(broken));
  return file;
}

function context(server) {
  const tokens = new Map();
  const direct = async (method, path, { token, body, headers = {} } = {}) => {
    const init = { method, headers: { ...headers, ...(token && { Authorization: `Bearer ${token}` }) } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(`${server.url}${path}`, init);
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    keys: KEYS,
    admin: server.admin,
    direct,
    /** An access token straight from the dev server (setup is not under test). */
    async token(key, scope, { fresh = false } = {}) {
      const id = `${key}:${scope ?? ''}`;
      if (!fresh && tokens.has(id)) return tokens.get(id);
      const { clientId, clientSecret } = KEYS[key];
      const res = await direct('POST', '/auth/token', {
        body: { client_id: clientId, client_secret: clientSecret, ...(scope && { scope }) },
      });
      if (res.status !== 200) throw new Error(`setup: token for ${id} failed with ${res.status}`);
      if (!fresh) tokens.set(id, res.body.access_token);
      return res.body.access_token;
    },
  };
}

const describeViolation = (v) => `${v.severity} ${(v.location ?? []).join('.')}: ${v.message}`;

/** Sends one scenario's request through `proxy`; returns the status and what is wrong. */
async function exchange(proxy, scenario, sent, via) {
  const headers = { ...sent.headers };
  let body;
  if (sent.raw !== undefined) {
    body = sent.raw;
    headers['Content-Type'] = sent.type;
  } else if (sent.body !== undefined) {
    body = JSON.stringify(sent.body);
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(`${proxy.url}${sent.path}`, { method: sent.method, headers, body });
  const text = await response.text();
  const problems = [];
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    problems.push(`the body is not JSON: ${text.slice(0, 200)}`);
  }
  const violations = violationsOf(response);
  const requestViolations = violations.filter((v) => v.location?.[0] === 'request');
  const responseViolations = violations.filter((v) => v.location?.[0] !== 'request');
  if ((response.headers.get('content-type') ?? '').startsWith('application/problem+json')) {
    problems.push(`Prism answered instead of the server: ${parsed?.title}: ${parsed?.detail}`);
    for (const v of parsed?.validation ?? []) problems.push(`  ${describeViolation(v)}`);
  }
  if (via === 'strict') {
    for (const v of violations) problems.push(`spec violation: ${describeViolation(v)}`);
  } else {
    for (const v of responseViolations) problems.push(`spec violation: ${describeViolation(v)}`);
    if (requestViolations.length === 0) {
      problems.push("Prism found the request valid: drive it through the --errors proxy (via: 'strict')");
    } else if (
      scenario.requestViolation &&
      !requestViolations.some((v) => scenario.requestViolation.test(`${v.code} ${v.message} ${v.location?.join('.')}`))
    ) {
      problems.push(
        `the request is invalid for another reason than ${scenario.requestViolation}: ${requestViolations.map(describeViolation).join('; ')}`,
      );
    }
  }
  const { expect } = scenario;
  if (response.status !== expect.status) problems.push(`status ${response.status}, expected ${expect.status}`);
  if (expect.code && parsed?.error?.code !== expect.code) {
    problems.push(`error code ${parsed?.error?.code}, expected ${expect.code}`);
  }
  for (const { name, value } of expect.headers ?? []) {
    const actual = response.headers.get(name);
    const ok = value === null ? actual === null : value instanceof RegExp ? value.test(actual ?? '') : actual === value;
    if (!ok) problems.push(`header ${name}: ${JSON.stringify(actual)}, expected ${value === null ? 'none' : value}`);
  }
  if (expect.body && response.status === expect.status && parsed && !expect.body(parsed)) {
    problems.push(`unexpected body: ${text.slice(0, 300)}`);
  }
  return { status: response.status, problems };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'codex-conformance-'));
  const stops = [];
  let failed = false;
  try {
    // 4 MiB, so that a body over the limit still fits Prism's own 10 MB body limit.
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      keys: Object.values(KEYS),
      maxBodyBytes: 4 * 2 ** 20,
    });
    stops.push(() => server.close());
    const [strict, report, canary] = await Promise.all([
      startPrism({ spec: SPEC, upstream: server.url, errors: true }),
      startPrism({ spec: SPEC, upstream: server.url, errors: false }),
      startPrism({ spec: canarySpec(work), upstream: server.url, errors: true }),
    ]);
    stops.push(strict.stop, report.stop, canary.stop);
    console.log(`dev server ${server.url}; prism --errors ${strict.url}; prism (report only) ${report.url}`);
    console.log(`servers ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

    const ctx = context(server);
    const operations = documented();
    const driven = new Map([...operations.keys()].map((id) => [id, new Set()]));
    for (const scenario of scenarios) {
      const operation = operations.get(scenario.operationId);
      let outcome;
      try {
        if (!operation) throw new Error(`no operation ${scenario.operationId} in the spec`);
        const sent = await scenario.prepare(ctx);
        outcome = await exchange(scenario.via === 'strict' ? strict : report, scenario, sent, scenario.via);
      } catch (error) {
        outcome = { status: 0, problems: [`could not run: ${error.stack ?? error}`] };
      } finally {
        await scenario.after?.(ctx);
      }
      const ok = outcome.problems.length === 0;
      if (ok) driven.get(scenario.operationId)?.add(scenario.expect.status);
      else failed = true;
      const where = operation ? `${operation.method} ${operation.path}` : scenario.operationId;
      console.log(`${ok ? '✓' : '✗'} ${scenario.expect.status} ${where}: ${scenario.name}`);
      for (const problem of outcome.problems) console.log(`    ${problem}`);
    }

    console.log('\nEvery status the spec lists, driven and conforming:');
    for (const [id, { method, path, statuses }] of operations) {
      const missing = statuses.filter((s) => !driven.get(id).has(s));
      if (missing.length > 0) failed = true;
      console.log(
        `${missing.length ? '✗' : '✓'} ${method} ${path}: ${statuses.join(' ')}${missing.length ? `; not driven: ${missing.join(' ')}` : ''}`,
      );
    }

    // The canary: a request the real spec accepts, whose answer breaks the planted rule.
    const token = await ctx.token('ro');
    const planted = await exchange(
      canary,
      { expect: { status: 200 } },
      { method: 'GET', path: '/documents', headers: { Authorization: `Bearer ${token}` } },
      'strict',
    );
    const detected = planted.problems.some((p) => p.includes('x-request-id'));
    console.log(
      `\n${detected ? '✓' : '✗'} canary: a violation planted in a copy of the spec is ${detected ? 'detected' : 'NOT detected'}`,
    );
    for (const problem of planted.problems) console.log(`    ${problem}`);
    if (!detected) failed = true;

    if (failed) {
      console.log('\nPrism (--errors) log, last lines:');
      console.log(strict.log().split('\n').slice(-40).join('\n'));
    }
  } finally {
    await Promise.allSettled(stops.reverse().map((stop) => stop()));
    rmSync(work, { recursive: true, force: true });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\n${failed ? '✗ conformance FAILED' : '✓ conformance passed'} in ${seconds} s`);
  process.exit(failed ? 1 : 0);
}

await main();
