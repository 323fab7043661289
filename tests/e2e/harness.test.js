'use strict';
// The harness itself against real peers: sipp UAC calling sipp UAS, and the webhook server.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');

test('sipp helper runs a bounded UAC against a UAS, both ending cleanly', async () => {
  const uas = await startSipp({ scenario: 'uas', calls: 2, timeoutMs: 20000 });
  const uac = await startSipp({ scenario: 'uac', remote: `127.0.0.1:${uas.port}`, calls: 2,
    timeoutMs: 20000, extraArgs: ['-d', '100'] });
  const [c, s] = await Promise.all([uac.done, uas.done]);
  assert.equal(c.code, 0, `uac failed: ${c.output}\n${c.errors}`);
  assert.equal(s.code, 0, `uas failed: ${s.output}\n${s.errors}`);
});

test('webhook server records requests and answers TwiML built with twiml.VoiceResponse', async () => {
  const hooks = await startWebhookServer(() => {
    const r = new twilio.twiml.VoiceResponse();
    r.say('hello');
    return r;
  });
  try {
    const res = await fetch(`${hooks.url}/voice`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'CallSid=CA1&From=alice',
    });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<Say>hello<\/Say>/);
    const [req] = await hooks.waitFor(1);
    assert.equal(req.params.CallSid, 'CA1');
    assert.equal(req.path, '/voice');
  } finally {
    await hooks.close();
  }
});
