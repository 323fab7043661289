'use strict';
// SIP over TLS (RFC 3261 26.2) through the sip_peer test binary: sip_peer UAC -> sip_peer UAS with
// certificate and name checks, and against sipp (-t l1) both ways: OPTIONS and INVITE/ACK/BYE.
// A throwaway CA and a certificate for 127.0.0.1 are made with the openssl CLI per run.

const test = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startSipp, freeUdpPort, sippTlsProblem } = require('./lib/sipp');
const { runPeer, skipWithoutSipPeer } = require('./lib/sip_peer');
const { makeCertificates } = require('./lib/certs');

const SCENARIOS = path.join(__dirname, 'scenarios');
const skip = skipWithoutSipPeer;

// sipp over TLS is scripts/install-sipp-tls's build (bookworm's sipp has none). Without it the
// sipp tests fail, naming the problem: they are part of the done-when of the SIP stack.
function assertSippTls() {
  const problem = sippTlsProblem();
  assert.strictEqual(problem, null, problem);
}

let certs;
test.before(() => { if (!skip) certs = makeCertificates(); });
test.after(() => { if (certs) fs.rmSync(certs.dir, { recursive: true, force: true }); });

function tlsArgs({ withCa = true } = {}) {
  return ['--tls-cert', certs.cert, '--tls-key', certs.key, ...(withCa ? ['--tls-ca', certs.ca] : [])];
}

function assertSippOk(result) {
  assert.strictEqual(result.code, 0, `sipp failed:\n${result.output.slice(-3000)}\n${result.errors}`);
}

test('sip_peer calls sip_peer over TLS: INVITE/180/200/ACK/BYE on a verified connection', { skip }, async () => {
  const answer = runPeer(['answer', '--address', '127.0.0.1', '--port', '0', '--tls-port', '0', '--calls', '1',
    '--timeout', '20s', ...tlsArgs()], 25000);
  const ports = await answer.listening;
  assert.ok(ports.tls > 0);
  const call = runPeer(['call', `sip:service@127.0.0.1:${ports.tls};transport=tls`, '--transport', 'tls',
    '--hangup-after', '300ms', '--timeout', '10s', ...tlsArgs()], 15000);
  const callResult = await call.done;
  const answerResult = await answer.done;
  assert.strictEqual(callResult.code, 0, callResult.output);
  assert.match(callResult.output, /final 200/);
  assert.match(answerResult.output, /ack/);
  assert.match(answerResult.output, /bye received/);
});

test('sip_peer refuses a TLS peer whose certificate it cannot verify', { skip }, async () => {
  const answer = runPeer(['answer', '--address', '127.0.0.1', '--port', '0', '--tls-port', '0', '--timeout', '20s',
    ...tlsArgs()], 25000);
  const ports = await answer.listening;
  // No --tls-ca: the system CAs do not know the throwaway CA.
  const call = runPeer(['call', `sip:service@127.0.0.1:${ports.tls};transport=tls`, '--transport', 'tls',
    '--timeout', '10s', ...tlsArgs({ withCa: false })], 15000);
  const callResult = await call.done;
  const answerResult = await answer.stop();
  assert.strictEqual(callResult.code, 1, callResult.output);
  assert.doesNotMatch(callResult.output, /final 200/);
  assert.doesNotMatch(answerResult.output, /invite from/);
});

// A TLS client that is not switchboard: openssl s_client verifies sip_peer's certificate against
// the CA, sends an OPTIONS over the TLS stream and reads the answer.
test('openssl s_client gets 200 to an OPTIONS over TLS from sip_peer', { skip }, async () => {
  const answer = runPeer(['answer', '--address', '127.0.0.1', '--port', '0', '--tls-port', '0', '--timeout', '20s',
    ...tlsArgs()], 25000);
  const ports = await answer.listening;
  const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${ports.tls}`, '-CAfile', certs.ca,
    '-verify_return_error', '-verify_ip', '127.0.0.1', '-tls1_2', '-quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  client.stdout.on('data', (d) => { output += d; });
  client.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => client.on('exit', resolve));
  client.stdin.write('OPTIONS sip:service@127.0.0.1 SIP/2.0\r\n' +
    'Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKsclient1\r\nMax-Forwards: 70\r\n' +
    'From: <sip:probe@127.0.0.1>;tag=s1\r\nTo: <sip:service@127.0.0.1>\r\nCall-ID: sclient-1\r\n' +
    'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n');
  const deadline = Date.now() + 10000;
  while (!/SIP\/2\.0 \d{3}/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  client.kill('SIGTERM');
  await exited;
  await answer.stop();
  assert.match(output, /SIP\/2\.0 200 OK\r\n/, output);
  assert.match(output, /Via: SIP\/2\.0\/TLS 127\.0\.0\.1:5061;branch=z9hG4bKsclient1/, output);
});

test('sipp UAC calls sip_peer over TLS', { skip }, async () => {
  assertSippTls();
  const tlsPort = await freeUdpPort();
  const answer = runPeer(['answer', '--address', '127.0.0.1', '--port', '0', '--tls-port', String(tlsPort),
    '--timeout', '60s', ...tlsArgs()], 70000);
  await answer.listening;
  const sipp = await startSipp({ scenario: 'uac', remote: `127.0.0.1:${tlsPort}`, calls: 3, transport: 'l1',
    timeoutMs: 45000, extraArgs: ['-r', '5', '-tls_cert', certs.cert, '-tls_key', certs.key] });
  const result = await sipp.done;
  const answerResult = await answer.stop();
  assertSippOk(result);
  assert.strictEqual((answerResult.output.match(/bye received/g) || []).length, 3);
});

test('sip_peer calls sipp UAS over TLS and hangs up', { skip }, async () => {
  assertSippTls();
  const sipp = await startSipp({ scenario: 'uas', calls: 1, transport: 'l1', timeoutMs: 20000,
    extraArgs: ['-tls_cert', certs.cert, '-tls_key', certs.key] });
  await new Promise((r) => setTimeout(r, 300));
  const call = runPeer(['call', `sip:service@127.0.0.1:${sipp.port};transport=tls`, '--transport', 'tls',
    '--hangup-after', '500ms', '--timeout', '15s', ...tlsArgs()], 20000);
  const callResult = await call.done;
  const result = await sipp.done;
  assert.strictEqual(callResult.code, 0, callResult.output);
  assert.match(callResult.output, /final 200/);
  assertSippOk(result);
});

test('sipp OPTIONS to sip_peer over TLS gets 200 with Allow and Accept', { skip }, async () => {
  assertSippTls();
  const tlsPort = await freeUdpPort();
  const answer = runPeer(['answer', '--address', '127.0.0.1', '--port', '0', '--tls-port', String(tlsPort),
    '--timeout', '30s', ...tlsArgs()], 40000);
  await answer.listening;
  const sipp = await startSipp({ scenario: path.join(SCENARIOS, 'options_uac.xml'), remote: `127.0.0.1:${tlsPort}`,
    calls: 2, transport: 'l1', timeoutMs: 20000, extraArgs: ['-tls_cert', certs.cert, '-tls_key', certs.key] });
  const result = await sipp.done;
  await answer.stop();
  assertSippOk(result);
});

test('sip_peer OPTIONS to sipp UAS over TLS gets its 200', { skip }, async () => {
  assertSippTls();
  const sipp = await startSipp({ scenario: path.join(SCENARIOS, 'options_uas.xml'), calls: 1, transport: 'l1',
    timeoutMs: 20000, extraArgs: ['-tls_cert', certs.cert, '-tls_key', certs.key] });
  await new Promise((r) => setTimeout(r, 300));
  const probe = runPeer(['options', `sip:service@127.0.0.1:${sipp.port};transport=tls`, '--transport', 'tls',
    '--timeout', '10s', ...tlsArgs()], 15000);
  const probeResult = await probe.done;
  const result = await sipp.done;
  assert.strictEqual(probeResult.code, 0, probeResult.output);
  assert.match(probeResult.output, /final 200/);
  assertSippOk(result);
});
