'use strict';
// Dialogs of switchboard's SIP stack against sipp, through the sip_peer test binary (UAC):
// a forked INVITE answered 200 by two forks (RFC 3261 13.2.2.4: ACK both, BYE the second) and a
// session timer that makes the caller the refresher (RFC 4028: UPDATE at half the interval).
// 127.0.0.1 only; bounded counts and timeouts.

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { startSipp } = require('./lib/sipp');
const { runPeer, skipWithoutSipPeer } = require('./lib/sip_peer');

const SCENARIOS = path.join(__dirname, 'scenarios');
const skip = skipWithoutSipPeer;

function assertSippOk(result) {
  assert.strictEqual(result.code, 0, `sipp failed:\n${result.output.slice(-3000)}\n${result.errors}\n${result.messages}`);
}

async function peerCallsSipp(scenario, peerArgs) {
  const sipp = await startSipp({ scenario: path.join(SCENARIOS, scenario), calls: 1, timeoutMs: 20000,
    traceMessages: true });
  await new Promise((r) => setTimeout(r, 300));
  const peer = runPeer(['call', `sip:service@127.0.0.1:${sipp.port}`, '--timeout', '15s', ...peerArgs], 20000);
  const peerResult = await peer.done;
  const result = await sipp.done;
  return { result, peerResult };
}

test('a second 2xx from another fork is ACKed and BYEd; the first fork stays the call', { skip }, async () => {
  const { result, peerResult } = await peerCallsSipp('uas_forked_2xx.xml', ['--hangup-after', '1s']);
  assert.strictEqual(peerResult.code, 0, peerResult.output);
  assert.strictEqual((peerResult.output.match(/final 200/g) || []).length, 1, peerResult.output);
  assertSippOk(result);
});

test('as refresher the caller sends UPDATE at half the session interval', { skip }, async () => {
  const { result, peerResult } = await peerCallsSipp('uas_session_timer.xml', ['--hangup-after', '5s']);
  assert.strictEqual(peerResult.code, 0, peerResult.output);
  assertSippOk(result);
});
