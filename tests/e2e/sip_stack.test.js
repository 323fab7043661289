'use strict';
// The SIP stack (transport, transactions, dialogs, digest) against sipp, through the sip_peer
// test binary: sipp UAC -> sip_peer UAS and sip_peer UAC -> sipp UAS, UDP and TCP, packet loss,
// CANCEL, OPTIONS both ways and a 401 digest challenge. 127.0.0.1 only; bounded counts and timeouts.

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { startSipp, freeUdpPort } = require('./lib/sipp');
const { runPeer, skipWithoutSipPeer } = require('./lib/sip_peer');

const SCENARIOS = path.join(__dirname, 'scenarios');
const skip = skipWithoutSipPeer;

function assertSippOk(result) {
  assert.strictEqual(result.code, 0, `sipp failed:\n${result.output.slice(-3000)}\n${result.errors}`);
}

// sipp as UAC against `sip_peer answer`.
async function sippAgainstPeer({ scenario, transport = 'u1', calls = 1, extraArgs = [], peerArgs = [] }) {
  const port = await freeUdpPort();
  const peer = runPeer(['answer', '--address', '127.0.0.1', '--port', String(port), '--timeout', '60s', ...peerArgs], 70000);
  await peer.listening;
  const sipp = await startSipp({ scenario, remote: `127.0.0.1:${port}`, calls, transport, timeoutMs: 45000,
    extraArgs: ['-r', '5', ...extraArgs] });
  const result = await sipp.done;
  const peerResult = await peer.stop();
  return { result, peerResult };
}

// sip_peer as UAC against sipp as UAS.
async function peerAgainstSipp({ scenario, transport = 'u1', uriParams = '', peerArgs = [] }) {
  const sipp = await startSipp({ scenario, calls: 1, transport, timeoutMs: 20000 });
  await new Promise((r) => setTimeout(r, 300));
  const peer = runPeer(['call', `sip:service@127.0.0.1:${sipp.port}${uriParams}`, '--timeout', '15s', ...peerArgs],
    20000);
  const peerResult = await peer.done;
  const result = await sipp.done;
  return { result, peerResult };
}

test('sipp UAC calls sip_peer over UDP: INVITE/180/200/ACK/BYE', { skip }, async () => {
  const { result, peerResult } = await sippAgainstPeer({ scenario: 'uac', calls: 3 });
  assertSippOk(result);
  assert.match(peerResult.output, /ack/);
  assert.strictEqual((peerResult.output.match(/bye received/g) || []).length, 3);
});

test('sipp UAC calls sip_peer over TCP', { skip }, async () => {
  const { result } = await sippAgainstPeer({ scenario: 'uac', transport: 't1', calls: 3 });
  assertSippOk(result);
});

test('sipp UAC with 10% packet loss: retransmissions complete every call', { skip }, async () => {
  const { result, peerResult } = await sippAgainstPeer({ scenario: 'uac', calls: 10, extraArgs: ['-lost', '10'] });
  assertSippOk(result);
  assert.match(result.output, /Successful call\s*\|\s*\d+\s*\|\s*10\s/);
  assert.match(peerResult.output, /stats received \d+/);
});

test('sipp OPTIONS to sip_peer gets 200 with Allow and Accept (UDP and TCP)', { skip }, async () => {
  for (const transport of ['u1', 't1']) {
    const { result } = await sippAgainstPeer({ scenario: path.join(SCENARIOS, 'options_uac.xml'), transport, calls: 2 });
    assertSippOk(result);
  }
});

test('sip_peer OPTIONS to sipp UAS gets its 200 (UDP and TCP)', { skip }, async () => {
  for (const [transport, uriParams, peerTransport] of [['u1', '', 'udp'], ['t1', ';transport=tcp', 'tcp']]) {
    const sipp = await startSipp({ scenario: path.join(SCENARIOS, 'options_uas.xml'), calls: 1, transport,
      timeoutMs: 20000 });
    await new Promise((r) => setTimeout(r, 300));
    const probe = runPeer(['options', `sip:service@127.0.0.1:${sipp.port}${uriParams}`, '--transport', peerTransport,
      '--timeout', '10s'], 15000);
    const probeResult = await probe.done;
    const result = await sipp.done;
    assert.strictEqual(probeResult.code, 0, probeResult.output);
    assert.match(probeResult.output, /final 200/);
    assertSippOk(result);
  }
});

test('sipp CANCELs before answer: 200 to CANCEL, 487 to INVITE', { skip }, async () => {
  const { result, peerResult } = await sippAgainstPeer({ scenario: path.join(SCENARIOS, 'cancel_uac.xml'),
    peerArgs: ['--ring', '10s'] });
  assertSippOk(result);
  assert.match(peerResult.output, /cancelled/);
});

test('sipp hangs up with BYE in the early dialog: 200 to BYE, 487 to INVITE', { skip }, async () => {
  const { result, peerResult } = await sippAgainstPeer({ scenario: path.join(SCENARIOS, 'early_bye_uac.xml'),
    peerArgs: ['--ring', '10s'] });
  assertSippOk(result);
  assert.match(peerResult.output, /cancelled/);
});

test('sip_peer calls sipp UAS over UDP and hangs up', { skip }, async () => {
  const { result, peerResult } = await peerAgainstSipp({ scenario: 'uas', peerArgs: ['--hangup-after', '500ms'] });
  assert.strictEqual(peerResult.code, 0, peerResult.output);
  assert.match(peerResult.output, /final 200/);
  assertSippOk(result);
});

test('sip_peer calls sipp UAS over TCP', { skip }, async () => {
  const { result, peerResult } = await peerAgainstSipp({ scenario: 'uas', transport: 't1', uriParams: ';transport=tcp',
    peerArgs: ['--hangup-after', '500ms', '--transport', 'tcp'] });
  assert.strictEqual(peerResult.code, 0, peerResult.output);
  assertSippOk(result);
});

test('sip_peer CANCELs a ringing call to sipp', { skip }, async () => {
  const { result, peerResult } = await peerAgainstSipp({ scenario: path.join(SCENARIOS, 'cancel_uas.xml'),
    peerArgs: ['--cancel-after', '500ms'] });
  assert.strictEqual(peerResult.code, 0, peerResult.output);
  assert.match(peerResult.output, /final 487/);
  assertSippOk(result);
});

test('sip_peer answers a 401 digest challenge from sipp', { skip }, async () => {
  const { result, peerResult } = await peerAgainstSipp({ scenario: path.join(SCENARIOS, 'auth_uas.xml'),
    peerArgs: ['--hangup-after', '300ms', '--user', 'alice', '--password', 'secret'] });
  assert.strictEqual(peerResult.code, 0, peerResult.output);
  assert.match(peerResult.output, /final 200/);
  assertSippOk(result);
});

test('sip_peer with a wrong password is refused by sipp (403)', { skip }, async () => {
  const { peerResult } = await peerAgainstSipp({ scenario: path.join(SCENARIOS, 'auth_uas.xml'),
    peerArgs: ['--user', 'alice', '--password', 'wrong'] });
  assert.strictEqual(peerResult.code, 1, peerResult.output);
  assert.match(peerResult.output, /final 403/);
});
