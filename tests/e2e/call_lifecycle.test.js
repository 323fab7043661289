'use strict';
// How calls end, and how the API and webhook failures change them: busy, no answer, canceled
// and hung up through the API, redirected through the API, the fallback URL, invalid TwiML.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');

const scenario = (name) => path.join(__dirname, 'scenarios', name);
let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { assert.equal((await sb.stop()).code, 0); });

async function waitForStatus(sid, statuses, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = await sb.client().calls(sid).fetch();
    if (statuses.includes(call.status)) return call;
    if (Date.now() > deadline) throw new Error(`call ${sid} is still ${call.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function twiml(build) {
  const r = new twilio.twiml.VoiceResponse();
  build(r);
  return r.toString();
}

test('a 486 makes the call busy and reports SipResponseCode 486', async () => {
  const hooks = await startWebhookServer();
  const uas = await startSipp({ scenario: scenario('uas_busy.xml'), timeoutMs: 15000 });
  try {
    const call = await sb.client().calls.create({ to: `sip:busy@127.0.0.1:${uas.port}`, from: 'Jack',
      twiml: '<Response><Hangup/></Response>', statusCallback: `${hooks.url}/status` });
    const final = await waitForStatus(call.sid, ['busy', 'failed', 'completed', 'no-answer']);
    assert.equal(final.status, 'busy');
    assert.equal(final.duration, '0');
    const [cb] = await hooks.waitFor(1);
    assert.equal(cb.params.CallStatus, 'busy');
    assert.equal(cb.params.SipResponseCode, '486');
    assert.equal((await uas.done).code, 0);
  } finally {
    await uas.stop();
    await hooks.close();
  }
});

test('an endpoint that rings past Timeout is CANCELed and the call is no-answer (487)', async () => {
  const hooks = await startWebhookServer();
  const uas = await startSipp({ scenario: scenario('cancel_uas.xml'), timeoutMs: 15000 });
  try {
    const started = Date.now();
    const call = await sb.client().calls.create({ to: `sip:slow@127.0.0.1:${uas.port}`, from: 'Jack', timeout: 2,
      twiml: '<Response><Hangup/></Response>', statusCallback: `${hooks.url}/status`,
      statusCallbackEvent: ['ringing', 'completed'] });
    const final = await waitForStatus(call.sid, ['no-answer', 'failed', 'busy', 'completed']);
    assert.equal(final.status, 'no-answer');
    assert.ok(Date.now() - started >= 1900, 'it rang for Timeout seconds');
    const cbs = await hooks.waitFor(2);
    assert.deepEqual(cbs.map((c) => c.params.CallStatus), ['ringing', 'no-answer']);
    assert.equal(cbs[1].params.SipResponseCode, '487');
    assert.equal((await uas.done).code, 0, 'sipp saw CANCEL, answered 487 and got the ACK');
  } finally {
    await uas.stop();
    await hooks.close();
  }
});

test('Status=canceled through the API cancels a ringing call', async () => {
  const uas = await startSipp({ scenario: scenario('cancel_uas.xml'), timeoutMs: 15000 });
  try {
    const client = sb.client();
    const call = await client.calls.create({ to: `sip:ring@127.0.0.1:${uas.port}`, from: 'Jack',
      twiml: '<Response><Hangup/></Response>' });
    await waitForStatus(call.sid, ['ringing']);
    const updated = await client.calls(call.sid).update({ status: 'canceled' });
    assert.equal(updated.status, 'canceled');
    assert.equal((await uas.done).code, 0);
    // An ended call cannot be redirected.
    await assert.rejects(client.calls(call.sid).update({ url: 'https://example.com/x' }),
      (e) => e.status === 400 && e.code === 21220);
  } finally {
    await uas.stop();
  }
});

test('Status=completed through the API hangs up a call in progress; the record is stored first', async () => {
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 20000 });
  try {
    const client = sb.client();
    const call = await client.calls.create({ to: `sip:long@127.0.0.1:${uas.port}`, from: 'Jack',
      twiml: twiml((r) => r.pause({ length: 30 })) });
    await waitForStatus(call.sid, ['in-progress']);
    await assert.rejects(client.calls(call.sid).remove(), (e) => e.status === 400 && e.code === 20009,
      'a live call cannot be deleted');
    const updated = await client.calls(call.sid).update({ status: 'completed' });
    assert.equal(updated.status, 'completed');
    assert.ok(updated.endTime instanceof Date);
    assert.equal((await uas.done).code, 0, 'sipp got the BYE');
    assert.equal(await client.calls(call.sid).remove(), true, 'an ended call can be deleted');
    await assert.rejects(client.calls(call.sid).fetch(), (e) => e.status === 404);
  } finally {
    await uas.stop();
  }
});

test('Url through the API redirects a live call to new TwiML', async () => {
  const hooks = await startWebhookServer((req) => (req.path === '/next'
    ? twiml((r) => r.hangup()) : twiml((r) => r.pause({ length: 30 }))));
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 20000 });
  try {
    const client = sb.client();
    const call = await client.calls.create({ to: `sip:r@127.0.0.1:${uas.port}`, from: 'Jack', url: `${hooks.url}/first` });
    await waitForStatus(call.sid, ['in-progress']);
    await hooks.waitFor(1, { filter: (r) => r.path === '/first' });
    await client.calls(call.sid).update({ url: `${hooks.url}/next`, method: 'GET' });
    const [next] = await hooks.waitFor(1, { filter: (r) => r.path === '/next' });
    assert.equal(next.method, 'GET');
    assert.equal(next.params.CallSid, call.sid);
    assert.equal((await waitForStatus(call.sid, ['completed'])).status, 'completed');
  } finally {
    await uas.stop();
    await hooks.close();
  }
});

test('a failing Url falls back to FallbackUrl with ErrorCode and ErrorUrl, and the error is a notification', async () => {
  const hooks = await startWebhookServer((req) => (req.path === '/broken'
    ? { status: 500, body: 'oops' } : twiml((r) => r.hangup())));
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 20000 });
  try {
    const client = sb.client();
    const call = await client.calls.create({ to: `sip:f@127.0.0.1:${uas.port}`, from: 'Jack',
      url: `${hooks.url}/broken`, fallbackUrl: `${hooks.url}/fallback` });
    const [fallback] = await hooks.waitFor(1, { filter: (r) => r.path === '/fallback' });
    assert.equal(fallback.params.ErrorCode, '11200');
    assert.equal(fallback.params.ErrorUrl, `${hooks.url}/broken`);
    await waitForStatus(call.sid, ['completed']);
    const notes = await client.calls(call.sid).notifications.list();
    assert.equal(notes.length, 1);
    assert.equal(notes[0].errorCode, '11200');
    assert.equal(notes[0].requestUrl, `${hooks.url}/broken`);
  } finally {
    await uas.stop();
    await hooks.close();
  }
});

test('invalid TwiML ends the call and is recorded as 12100', async () => {
  const hooks = await startWebhookServer(() => '<Response><Say>unclosed</Response>');
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 20000 });
  try {
    const client = sb.client();
    const call = await client.calls.create({ to: `sip:x@127.0.0.1:${uas.port}`, from: 'Jack', url: `${hooks.url}/bad` });
    await waitForStatus(call.sid, ['completed']);
    const notes = await client.calls(call.sid).notifications.list();
    assert.ok(notes.some((n) => n.errorCode === '12100'), JSON.stringify(notes.map((n) => n.errorCode)));
    assert.equal((await uas.done).code, 0, 'the call was hung up with a BYE');
  } finally {
    await uas.stop();
    await hooks.close();
  }
});
