'use strict';
// <Gather> fed by real RFC 2833 DTMF: sipp answers and presses 1, 2, # from sip-tester's pcaps.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { assert.equal((await sb.stop()).code, 0); });

test('Gather collects the digits sipp sends, stops at finishOnKey, and posts them to the action', async () => {
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      const g = r.gather({ action: '/gathered', numDigits: 5, timeout: 5 });
      g.say('Please enter your account number, then press pound.');
      r.say('We did not receive anything.');
    } else if (req.path === '/gathered') {
      r.hangup();
    }
    return r;
  });
  const uas = await startSipp({ scenario: path.join(__dirname, 'scenarios/uas_dtmf_12pound.xml'), calls: 1,
    timeoutMs: 25000, extraArgs: ['-mi', '127.0.0.1'] });
  try {
    const call = await sb.client().calls.create({ to: `sip:ivr@127.0.0.1:${uas.port}`, from: 'Jack', url: `${hooks.url}/voice` });
    const [gathered] = await hooks.waitFor(1, { filter: (r) => r.path === '/gathered', timeoutMs: 20000 });
    assert.equal(gathered.params.Digits, '12');
    assert.equal(gathered.params.FinishedOnKey, '#');
    assert.equal(gathered.params.CallSid, call.sid);
    assert.ok(twilio.validateRequest(sb.authToken, gathered.headers['x-twilio-signature'], `${hooks.url}/gathered`,
      gathered.params));
    const result = await uas.done;
    assert.equal(result.code, 0, `sipp: ${result.errors}`);
    const final = await sb.client().calls(call.sid).fetch();
    assert.equal(final.status, 'completed');
  } finally {
    await uas.stop();
    await hooks.close();
  }
});
