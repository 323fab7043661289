'use strict';
// A REST call to a SIP URI with transport=tls: the INVITE goes over a verified TLS connection to
// sip_peer (Debian's sipp has no TLS), which answers; the TwiML runs and the call completes.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { startSwitchboard } = require('./lib/switchboard');
const { makeCertificates } = require('./lib/certs');
const { runPeer, skipWithoutSipPeer } = require('./lib/sip_peer');


let certs;
let sb;
test.before(async () => {
  certs = makeCertificates();
  sb = await startSwitchboard({ args: ['--sip-tls', '127.0.0.1:0', '--tls-cert', certs.cert, '--tls-key', certs.key,
    '--tls-ca', certs.ca] });
});
test.after(async () => {
  assert.equal((await sb.stop()).code, 0);
  fs.rmSync(certs.dir, { recursive: true, force: true });
});

test('switchboard prints its TLS listener', () => {
  assert.match(sb.stdout, /SIP \(TLS\):\s+127\.0\.0\.1:\d+/);
});

test('transport=tls places the call over verified TLS', { skip: skipWithoutSipPeer }, async () => {
  const peer = runPeer(['answer', '--address', '127.0.0.1', '--port', '0', '--calls', '1', '--tls-port', '0',
    '--tls-cert', certs.cert, '--tls-key', certs.key, '--tls-ca', certs.ca], 20000);
  try {
    const { tls: tlsPort } = await peer.listening;
    const client = sb.client();
    const call = await client.calls.create({ to: `sip:secure@127.0.0.1:${tlsPort};transport=tls`, from: 'Jack',
      twiml: '<Response><Pause length="1"/><Hangup/></Response>' });
    const deadline = Date.now() + 15000;
    let final;
    for (;;) {
      final = await client.calls(call.sid).fetch();
      if (!['queued', 'ringing', 'in-progress'].includes(final.status) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Only sip_peer's TLS listener is on tlsPort (its UDP and TCP share another port), so a call
    // completed there went over TLS, with switchboard verifying the certificate against --tls-ca.
    const { code, output } = await peer.done;
    assert.equal(final.status, 'completed', output);
    assert.equal(code, 0, output);
    assert.match(output, /invite from 127\.0\.0\.1/);
  } finally {
    await peer.stop();
  }
});
