'use strict';
// <Dial><Sip> end to end: a REST call to one sipp (the caller's leg) whose TwiML dials other
// sipp instances (the child legs); switchboard bridges them and reports to the action URL.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');

const scenario = (name) => path.join(__dirname, 'scenarios', name);
const FINAL = ['completed', 'failed', 'busy', 'no-answer', 'canceled'];

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { assert.equal((await sb.stop()).code, 0); });

async function waitForStatus(client, sid, statuses, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = await client.calls(sid).fetch();
    if (statuses.includes(call.status)) return call;
    if (Date.now() > deadline) throw new Error(`call ${sid} still ${call.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The caller's leg: sipp answers and waits for our BYE.
function startCaller(extra = {}) {
  return startSipp({ scenario: 'uas', calls: 1, timeoutMs: 30000, ...extra });
}

// Runs `twimlFor(req)` as the webhook, calls the caller sipp, and returns what the test needs.
async function placeCall(hooks, caller, params = {}) {
  return sb.client().calls.create({ to: `sip:caller@127.0.0.1:${caller.port}`, from: 'Jack', url: `${hooks.url}/voice`,
    ...params });
}

test('<Dial><Sip> bridges the callee, who hangs up; the action gets every Dial parameter', async () => {
  const callee = await startSipp({ scenario: scenario('uas_answer_bye.xml'), calls: 1, timeoutMs: 30000,
    traceMessages: true, extraArgs: ['-d', '2000'] });
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      const dial = r.dial({ action: '/dialed', callerId: 'Reception_1', timeout: 10 });
      dial.sip({ statusCallback: '/leg-status', statusCallbackEvent: 'initiated ringing answered completed' },
        `sip:bob@127.0.0.1:${callee.port}?X-Ticket=T-42`);
    } else if (req.path === '/dialed') {
      r.hangup();
    }
    return r;
  });
  const caller = await startCaller();
  try {
    const call = await placeCall(hooks, caller);
    const [dialed] = await hooks.waitFor(1, { filter: (r) => r.path === '/dialed', timeoutMs: 20000 });
    const p = dialed.params;
    assert.equal(p.CallSid, call.sid);
    assert.equal(p.DialCallStatus, 'completed');
    assert.equal(p.DialBridged, 'true');
    assert.match(p.DialCallSid, /^CA[0-9a-f]{32}$/);
    assert.notEqual(p.DialCallSid, call.sid);
    assert.ok(Number(p.DialCallDuration) >= 1 && Number(p.DialCallDuration) <= 4, `duration ${p.DialCallDuration}`);
    assert.equal(p.DialSipResponseCode, '200');
    assert.ok(p.DialSipCallId && p.DialSipCallId.length > 0);
    assert.equal(p[`DialSipHeader_X-Hangup-Reason`], `done-${callee.port}`);
    assert.ok(twilio.validateRequest(sb.authToken, dialed.headers['x-twilio-signature'], `${hooks.url}/dialed`, p));

    // The child leg is a Call of its own.
    const child = await waitForStatus(sb.client(), p.DialCallSid, FINAL);
    assert.equal(child.status, 'completed');
    assert.equal(child.direction, 'outbound-dial');
    assert.equal(child.parentCallSid, call.sid);
    assert.equal(child.from, 'Reception_1');
    const children = await sb.client().calls.list({ parentCallSid: call.sid });
    assert.deepEqual(children.map((c) => c.sid), [p.DialCallSid]);

    // The child's INVITE: its own sid, the caller id, the URI's header.
    const sipp = await callee.done;
    assert.equal(sipp.code, 0, `callee sipp: ${sipp.errors}`);
    const invite = sipp.messages.slice(sipp.messages.indexOf('INVITE sip:'));
    assert.match(invite, new RegExp(`X-Twilio-CallSid: ${p.DialCallSid}`));
    assert.match(invite, /X-Ticket: T-42/);
    assert.match(invite, /From: .*<sip:Reception_1@/);

    // The leg's status callbacks, in order, naming the parent.
    const statuses = await hooks.waitFor(4, { filter: (r) => r.path === '/leg-status' });
    assert.deepEqual(statuses.map((r) => r.params.CallStatus), ['initiated', 'ringing', 'in-progress', 'completed']);
    for (const s of statuses) {
      assert.equal(s.params.CallSid, p.DialCallSid);
      assert.equal(s.params.ParentCallSid, call.sid);
    }
    assert.equal((await caller.done).code, 0);
    assert.equal((await waitForStatus(sb.client(), call.sid, FINAL)).status, 'completed');
  } finally {
    await callee.stop();
    await caller.stop();
    await hooks.close();
  }
});
