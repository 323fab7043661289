'use strict';
// What a webhook announces is readable through the API when it arrives: the handlers below look
// the call, its recording and its notifications up the moment their request comes in. The store writer is
// told to hold every commit for 100 ms (store.commit_delay_ms = 100; a slow disk would do the
// same), so a webhook that did not wait for the commit would find nothing.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');

let sb;
test.before(async () => { sb = await startSwitchboard({ config: '[store]\ncommit_delay_ms = 100\n' }); });
test.after(async () => { assert.equal((await sb.stop()).code, 0); });

async function found(promise) {
  try { await promise; return true; } catch (e) { if (e.status === 404) return false; throw e; }
}

test('the <Record> action and the recording status callback find the recording they name', async () => {
  const client = sb.client();
  const seen = {};
  const hooks = await startWebhookServer(async (req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      r.record({ action: '/recorded', maxLength: 20, recordingStatusCallback: '/recording-status' });
    } else if (req.path === '/recorded') {
      seen.action = await found(client.recordings(req.params.RecordingSid).fetch());
      r.hangup();
    } else if (req.path === '/recording-status') {
      const recording = await client.recordings(req.params.RecordingSid).fetch().catch(() => undefined);
      seen.callback = recording ? recording.status : 'missing';
    }
    return r;
  });
  const uas = await startSipp({ scenario: path.join(__dirname, 'scenarios/uas_record.xml'), timeoutMs: 25000,
    extraArgs: ['-mi', '127.0.0.1'] });
  try {
    await client.calls.create({ to: `sip:rec@127.0.0.1:${uas.port}`, from: 'Jack', url: `${hooks.url}/voice` });
    await hooks.waitFor(1, { filter: (r) => r.path === '/recorded', timeoutMs: 20000 });
    await hooks.waitFor(1, { filter: (r) => r.path === '/recording-status', timeoutMs: 10000 });
    await new Promise((r) => setTimeout(r, 300));  // the handlers' own lookups
    assert.deepEqual(seen, { action: true, callback: 'completed' });
    assert.equal((await uas.done).code, 0);
  } finally {
    await uas.stop();
    await hooks.close();
  }
});

test('the <Dial> action finds the notifications of the numbers that could not be dialed', async () => {
  const client = sb.client();
  let codes;
  const caller = await startSipp({ scenario: 'uas', calls: 1, timeoutMs: 20000 });
  const hooks = await startWebhookServer(async (req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      const dial = r.dial({ action: '/dialed' });
      dial.number('555-12');  // not E.164: 13223
    } else if (req.path === '/dialed') {
      codes = (await client.api.v2010.account.notifications.list({ limit: 50 }))
        .filter((n) => n.callSid === req.params.CallSid).map((n) => n.errorCode);
      r.hangup();
    }
    return r;
  });
  try {
    await client.calls.create({ to: `sip:caller@127.0.0.1:${caller.port}`, from: 'Jack', url: `${hooks.url}/voice` });
    const [dialed] = await hooks.waitFor(1, { filter: (r) => r.path === '/dialed', timeoutMs: 15000 });
    assert.equal(dialed.params.DialCallStatus, 'failed');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(codes, ['13223']);
    assert.equal((await caller.done).code, 0);
  } finally {
    await caller.stop();
    await hooks.close();
  }
});

test('the voice webhook finds its call in-progress, and the completed callback finds it completed', async () => {
  const client = sb.client();
  const seen = {};
  const uas = await startSipp({ scenario: 'uas', calls: 1, timeoutMs: 20000 });
  const hooks = await startWebhookServer(async (req) => {
    const status = await client.calls(req.params.CallSid).fetch().then((c) => c.status, (e) => `error ${e.status}`);
    if (req.path === '/voice') seen.voice = status;
    if (req.path === '/status') seen[req.params.CallStatus] = status;
    return new twilio.twiml.VoiceResponse().hangup();
  });
  try {
    await client.calls.create({ to: `sip:x@127.0.0.1:${uas.port}`, from: 'Jack', url: `${hooks.url}/voice`,
      statusCallback: `${hooks.url}/status`, statusCallbackEvent: ['completed'] });
    await hooks.waitFor(1, { filter: (r) => r.path === '/status' && r.params.CallStatus === 'completed' });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(seen, { voice: 'in-progress', completed: 'completed' });
    assert.equal((await uas.done).code, 0);
  } finally {
    await uas.stop();
    await hooks.close();
  }
});
