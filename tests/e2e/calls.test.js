'use strict';
// Programmable calls end to end: the twilio client creates a call to a SIP URI, sipp answers,
// switchboard fetches the TwiML from a real webhook server and runs it.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { assert.equal((await sb.stop()).code, 0); });

async function waitForStatus(client, sid, statuses, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = await client.calls(sid).fetch();
    if (statuses.includes(call.status)) return call;
    if (Date.now() > deadline) throw new Error(`call ${sid} still ${call.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a REST call reaches sipp, runs its TwiML, hangs up, and reports every status in order', async () => {
  const hooks = await startWebhookServer((req) => {
    if (req.path !== '/voice') return '';
    const r = new twilio.twiml.VoiceResponse();
    r.say('Hello from switchboard');
    r.pause({ length: 1 });
    r.hangup();
    return r;
  });
  const uas = await startSipp({ scenario: 'uas', calls: 1, timeoutMs: 20000, traceMessages: true });
  try {
    const client = sb.client();
    const call = await client.calls.create({
      to: `sip:kate@127.0.0.1:${uas.port}?X-Customer=42&User-to-User=56a390f3`,
      from: 'Jack',
      url: `${hooks.url}/voice`,
      statusCallback: `${hooks.url}/status`,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    assert.match(call.sid, /^CA[0-9a-f]{32}$/);
    assert.equal(call.status, 'queued');
    assert.equal(call.direction, 'outbound-api');
    assert.equal(call.to, `sip:kate@127.0.0.1:${uas.port}?X-Customer=42&User-to-User=56a390f3`);

    const final = await waitForStatus(client, call.sid, ['completed', 'failed', 'busy', 'no-answer']);
    assert.equal(final.status, 'completed');
    assert.ok(Number(final.duration) >= 1, `duration ${final.duration}`);
    assert.ok(final.startTime instanceof Date && final.endTime instanceof Date);

    const sipp = await uas.done;
    assert.equal(sipp.code, 0, `sipp failed: ${sipp.errors}`);
    // The INVITE as sipp received it.
    const invite = sipp.messages.slice(sipp.messages.indexOf('INVITE sip:'));
    assert.match(invite, /^INVITE sip:kate@127\.0\.0\.1:\d+ SIP\/2\.0/);
    assert.match(invite, new RegExp(`X-Twilio-CallSid: ${call.sid}`));
    assert.match(invite, new RegExp(`X-Twilio-AccountSid: ${sb.accountSid}`));
    assert.match(invite, /X-Customer: 42/);
    assert.match(invite, /User-to-User: 56a390f3/);
    assert.match(invite, /From: .*<sip:Jack@/);
    assert.match(invite, /m=audio \d+ RTP\/AVP 0 8 101/);

    // The TwiML request, signed as twilio.validateRequest checks it.
    const [voice] = await hooks.waitFor(1, { filter: (r) => r.path === '/voice' });
    assert.equal(voice.params.CallSid, call.sid);
    assert.equal(voice.params.CallStatus, 'in-progress');
    assert.equal(voice.params.Direction, 'outbound-api');
    assert.ok(twilio.validateRequest(sb.authToken, voice.headers['x-twilio-signature'], `${hooks.url}/voice`, voice.params),
      'the signature validates');
    assert.ok(voice.headers['i-twilio-idempotency-token']);

    const statuses = await hooks.waitFor(4, { filter: (r) => r.path === '/status' });
    assert.deepEqual(statuses.map((r) => r.params.CallStatus), ['initiated', 'ringing', 'in-progress', 'completed']);
    assert.deepEqual(statuses.map((r) => r.params.SequenceNumber), ['0', '1', '2', '3']);
    assert.equal(statuses[3].params.CallDuration, final.duration);
    for (const s of statuses) {
      assert.ok(twilio.validateRequest(sb.authToken, s.headers['x-twilio-signature'], `${hooks.url}/status`, s.params));
    }
  } finally {
    await uas.stop();
    await hooks.close();
  }
});
