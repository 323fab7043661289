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
const { readWav, rms } = require('./lib/wav');

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

// Dials `legs` (sipp instances) from a caller sipp with `dialAttrs`, and returns the action request.
async function dialAndWait({ legs, dialAttrs = {}, sipAttrs = () => ({}), callerScenario, callerArgs = [],
  after = (r) => r.hangup(), screen, actionTimeoutMs = 25000 }) {
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      const dial = r.dial({ action: '/dialed', ...dialAttrs });
      legs.forEach((leg, i) => dial.sip(sipAttrs(i), leg.uri || `sip:leg${i}@127.0.0.1:${leg.port}`));
    } else if (req.path === '/dialed') {
      after(r, req);
    } else if (req.path.startsWith('/screen') && screen) {
      screen(r, req);
    }
    return r;
  });
  const caller = callerScenario
    ? await startSipp({ scenario: callerScenario, calls: 1, timeoutMs: 30000, extraArgs: callerArgs })
    : await startCaller();
  try {
    const call = await placeCall(hooks, caller);
    const [dialed] = await hooks.waitFor(1, { filter: (r) => r.path === '/dialed', timeoutMs: actionTimeoutMs });
    const results = await Promise.all(legs.map((leg) => leg.done));
    const callerResult = await caller.done;
    return { call, dialed, p: dialed.params, hooks, results, callerResult };
  } finally {
    await caller.stop();
    for (const leg of legs) await leg.stop();
    await hooks.close();
  }
}

const leg = (name, args = []) => startSipp({ scenario: name.endsWith('.xml') ? scenario(name) : name, calls: 1,
  timeoutMs: 30000, extraArgs: args });

test('a busy callee: DialCallStatus busy with its SIP code, and the TwiML after <Dial> runs without an action', async () => {
  const busy = await leg('uas_busy.xml');
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      r.dial().sip(`sip:busy@127.0.0.1:${busy.port}`);
      r.redirect('/after');
    } else if (req.path === '/after') {
      r.hangup();
    }
    return r;
  });
  const caller = await startCaller();
  try {
    const call = await placeCall(hooks, caller);
    const [after] = await hooks.waitFor(1, { filter: (r) => r.path === '/after', timeoutMs: 15000 });
    assert.equal(after.params.CallSid, call.sid);
    assert.equal((await busy.done).code, 0);
    const [child] = await sb.client().calls.list({ parentCallSid: call.sid });
    assert.equal(child.status, 'busy');
    assert.equal((await caller.done).code, 0);
  } finally {
    await busy.stop();
    await caller.stop();
    await hooks.close();
  }
});

test('busy reported to the action with DialSipResponseCode 486', async () => {
  const { p, results } = await dialAndWait({ legs: [await leg('uas_busy.xml')] });
  assert.equal(p.DialCallStatus, 'busy');
  assert.equal(p.DialSipResponseCode, '486');
  assert.equal(p.DialBridged, 'false');
  assert.equal(p.DialCallDuration, '0');
  assert.equal(results[0].code, 0);
});

test('no answer within the Dial timeout: CANCEL, DialCallStatus no-answer', async () => {
  const started = Date.now();
  const { p, results } = await dialAndWait({ legs: [await leg('cancel_uas.xml')], dialAttrs: { timeout: 5 } });
  assert.equal(p.DialCallStatus, 'no-answer');
  assert.equal(p.DialSipResponseCode, '487');
  assert.ok(Date.now() - started >= 5000);
  assert.equal(results[0].code, 0, 'the callee got the CANCEL');
  const child = await sb.client().calls(p.DialCallSid).fetch();
  assert.equal(child.status, 'no-answer');
});

test('parallel: the first to answer wins and the ringing leg is cancelled', async () => {
  const ringing = await leg('cancel_uas.xml');
  const answering = await leg('uas_answer_bye.xml', ['-d', '1000']);
  const { p, results, call } = await dialAndWait({ legs: [ringing, answering] });
  assert.equal(p.DialCallStatus, 'completed');
  assert.equal(p.DialBridged, 'true');
  assert.equal(p[`DialSipHeader_X-Hangup-Reason`], `done-${answering.port}`);
  assert.equal(results[0].code, 0, 'the ringing leg was cancelled');
  assert.equal(results[1].code, 0);
  const children = await sb.client().calls.list({ parentCallSid: call.sid });
  const byStatus = Object.fromEntries(await Promise.all(children.map(async (c) => {
    const done = await waitForStatus(sb.client(), c.sid, FINAL);
    return [done.sid === p.DialCallSid ? 'winner' : 'other', done.status];
  })));
  assert.deepEqual(byStatus, { winner: 'completed', other: 'canceled' });
});

test('sequential: a busy first leg falls through to the second, which answers', async () => {
  const busy = await leg('uas_busy.xml');
  const answering = await leg('uas_answer_bye.xml', ['-d', '1000']);
  const { p, call } = await dialAndWait({ legs: [busy, answering], dialAttrs: { sequential: true } });
  assert.equal(p.DialCallStatus, 'completed');
  assert.equal(p[`DialSipHeader_X-Hangup-Reason`], `done-${answering.port}`);
  const children = await sb.client().calls.list({ parentCallSid: call.sid });
  assert.equal(children.length, 2);
  const statuses = (await Promise.all(children.map((c) => waitForStatus(sb.client(), c.sid, FINAL))))
    .sort((a, b) => a.dateCreated - b.dateCreated || (a.status === 'busy' ? -1 : 1)).map((c) => c.status);
  assert.deepEqual(statuses.sort(), ['busy', 'completed']);
});

test('digest: <Sip username password> answers the callee\'s 401', async () => {
  const auth = await leg('auth_uas.xml');
  const { p, results } = await dialAndWait({ legs: [auth], sipAttrs: () => ({ username: 'alice', password: 'secret' }),
    dialAttrs: { timeLimit: 2 } });
  assert.equal(p.DialCallStatus, 'completed');
  assert.equal(p.DialBridged, 'true');
  assert.equal(results[0].code, 0, `sipp checked the credentials: ${results[0].errors}`);
  assert.ok(Number(p.DialCallDuration) >= 1 && Number(p.DialCallDuration) <= 4, 'timeLimit ended the bridge');
});

test('screening: the callee hears the url document and is bridged when it runs out', async () => {
  const answering = await leg('uas_answer_bye.xml', ['-d', '4000']);
  const { p, hooks } = await dialAndWait({ legs: [answering], sipAttrs: () => ({ url: '/screen' }),
    screen: (r) => r.say('A call for you.') });
  assert.equal(p.DialCallStatus, 'completed');
  assert.equal(p.DialBridged, 'true');
  const [screen] = hooks.requests.filter((r) => r.path === '/screen');
  assert.equal(screen.params.CallSid, p.DialCallSid);
  assert.equal(screen.params.Direction, 'outbound-dial');
  assert.equal(screen.params[`SipHeader_X-Answered-By`], `sipp-${answering.port}`);
  assert.ok(screen.params.SipCallId);
});

test('screening: <Hangup/> in the url document declines; the caller is not bridged', async () => {
  const callee = await leg('uas');
  const { p } = await dialAndWait({ legs: [callee], sipAttrs: () => ({ url: '/screen' }), screen: (r) => r.hangup() });
  assert.equal(p.DialCallStatus, 'completed');
  assert.equal(p.DialBridged, 'false');
});

test('a screening document that dials is refused with 13201', async () => {
  const callee = await leg('uas');
  const { p } = await dialAndWait({ legs: [callee], sipAttrs: () => ({ url: '/screen' }),
    screen: (r) => r.dial().sip('sip:nobody@127.0.0.1:9') });
  assert.equal(p.DialBridged, 'false');
  const alerts = await sb.client().api.v2010.account.notifications.list({ limit: 50 });
  assert.ok(alerts.some((n) => n.errorCode === '13201' && n.callSid === p.DialCallSid), 'notification 13201');
});

test('hangupOnStar: the caller presses * (RFC 2833), the callee is dropped, the caller continues', async () => {
  const callee = await leg('uas');
  const { p, results, callerResult } = await dialAndWait({ legs: [callee], dialAttrs: { hangupOnStar: true },
    callerScenario: scenario('uas_press_star.xml'), callerArgs: ['-d', '1500', '-mi', '127.0.0.1'] });
  assert.equal(p.DialCallStatus, 'completed');
  assert.equal(p.DialBridged, 'true');
  assert.equal(results[0].code, 0, 'the callee got our BYE');
  assert.equal(callerResult.code, 0, 'the caller got the BYE of the action\'s <Hangup/>');
});

test('the caller hangs up while the callee rings: the leg is cancelled', async () => {
  const ringing = await leg('cancel_uas.xml');
  const { p, results } = await dialAndWait({ legs: [ringing], callerScenario: scenario('uas_answer_bye.xml'),
    callerArgs: ['-d', '1500'] });
  assert.equal(p.DialCallStatus, 'canceled');
  assert.equal(p.CallStatus, 'completed');
  assert.equal(results[0].code, 0, 'the callee got the CANCEL');
  assert.equal((await sb.client().calls(p.DialCallSid).fetch()).status, 'canceled');
});

async function referCall(scenarioName, action) {
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      r.refer(action ? { action: '/referred' } : {}).sip('sip:alice@transfer.example.com?X-Transfer-Id=7');
      r.say('still here');
    } else if (req.path === '/referred') {
      r.hangup();
    }
    return r;
  });
  const caller = await startSipp({ scenario: scenario(scenarioName), calls: 1, timeoutMs: 20000, extraArgs: ['-d', '100'] });
  try {
    const call = await placeCall(hooks, caller);
    const requests = action ? await hooks.waitFor(1, { filter: (r) => r.path === '/referred', timeoutMs: 15000 }) : [];
    const result = await caller.done;
    await waitForStatus(sb.client(), call.sid, FINAL);
    return { result, referred: requests[0] };
  } finally {
    await caller.stop();
    await hooks.close();
  }
}

test('<Refer> accepted: REFER with the Refer-To, NOTIFY progress, the action gets Twilio\'s Refer parameters', async () => {
  const { result, referred } = await referCall('uas_refer_accept.xml', true);
  assert.equal(result.code, 0, `sipp: ${result.errors}`);
  assert.equal(referred.params.ReferSipResponseCode, '202');
  assert.equal(referred.params.NotifySipResponseCode, '200');
  assert.equal(referred.params.ReferCallStatus, 'in-progress');
});

test('<Refer> refused with 603: ReferCallStatus failed', async () => {
  const { result, referred } = await referCall('uas_refer_decline.xml', true);
  assert.equal(result.code, 0, `sipp: ${result.errors}`);
  assert.equal(referred.params.ReferSipResponseCode, '603');
  assert.equal(referred.params.ReferCallStatus, 'failed');
  assert.equal(referred.params.NotifySipResponseCode, undefined);
});

test('<Refer> without an action ends the leg once the transfer is accepted', async () => {
  const { result } = await referCall('uas_refer_accept.xml', false);
  assert.equal(result.code, 0, `sipp: ${result.errors}`);
});

test('a callee over TCP (;transport=tcp) is dialed and bridged', async () => {
  const tcp = await startSipp({ scenario: scenario('uas_answer_bye.xml'), calls: 1, transport: 't1', timeoutMs: 30000,
    traceMessages: true, extraArgs: ['-d', '1000'] });
  const { p } = await dialAndWait({ legs: [{ ...tcp, uri: `sip:tcp@127.0.0.1:${tcp.port};transport=tcp` }] });
  assert.equal(p.DialCallStatus, 'completed');
  assert.equal(p.DialBridged, 'true');
  const result = await tcp.done;
  assert.equal(result.code, 0, result.errors);
  assert.match(result.messages, /INVITE sip:tcp@127\.0\.0\.1:\d+;transport=tcp SIP\/2\.0\r?\nVia: SIP\/2\.0\/TCP/);
});

test('a callee whose answer has no codec in common: the leg fails (32102) and is hung up', async () => {
  const g729 = await leg('uas_g729_only.xml');
  const { p, results } = await dialAndWait({ legs: [g729] });
  assert.equal(p.DialCallStatus, 'failed');
  assert.equal(p.DialBridged, 'false');
  assert.equal(results[0].code, 0, 'the callee got the ACK and our BYE');
  const alerts = await sb.client().api.v2010.account.notifications.list({ limit: 50 });
  assert.ok(alerts.some((n) => n.errorCode === '32102' && n.callSid === p.DialCallSid), 'notification 32102');
});

test('record="record-from-answer-dual": a two-channel recording, the caller on 1 and the callee on 2', async () => {
  const talker = await leg('uas_play_bye.xml', ['-d', '3000', '-mi', '127.0.0.1']);
  const { p, hooks } = await dialAndWait({ legs: [talker],
    dialAttrs: { record: 'record-from-answer-dual', trim: 'trim-silence', recordingStatusCallback: '/recording' } });
  assert.equal(p.DialCallStatus, 'completed');
  assert.match(p.RecordingSid, /^RE[0-9a-f]{32}$/);
  assert.ok(Number(p.RecordingDuration) >= 2 && Number(p.RecordingDuration) <= 5, `duration ${p.RecordingDuration}`);
  const [callback] = await hooks.waitFor(1, { filter: (r) => r.path === '/recording' });
  assert.equal(callback.params.RecordingStatus, 'completed');
  assert.equal(callback.params.RecordingChannels, '2');
  assert.equal(callback.params.RecordingSource, 'DialVerb');
  assert.equal(callback.params.RecordingSid, p.RecordingSid);

  const recording = await sb.client().recordings(p.RecordingSid).fetch();
  assert.equal(recording.channels, 2);
  assert.equal(recording.callSid, p.CallSid);
  const res = await fetch(`${p.RecordingUrl}.wav`);
  assert.equal(res.status, 200);
  const wav = readWav(Buffer.from(await res.arrayBuffer()));
  assert.equal(wav.channels, 2);
  assert.equal(wav.rate, 8000);
  assert.ok(Math.abs(wav.seconds - Number(p.DialCallDuration)) <= 1.5, `${wav.seconds} s vs ${p.DialCallDuration}`);
  const [caller, callee] = wav.samples.map(rms);
  assert.ok(callee > 300, `the callee's speech is on channel 2 (rms ${callee})`);
  assert.ok(caller < callee / 10, `channel 1 (the silent caller) is quiet (rms ${caller} vs ${callee})`);
});

test('a REFER from the callee (blind transfer) goes to the Dial referUrl, whose TwiML takes the caller', async () => {
  const transferor = await leg('uas_transfer.xml', ['-d', '1000']);
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      r.dial({ referUrl: '/refer', action: '/dialed' }).sip(`sip:bob@127.0.0.1:${transferor.port}`);
    } else if (req.path === '/refer') {
      r.say('Transferring');
      r.hangup();
    }
    return r;
  });
  const caller = await startCaller();
  try {
    const call = await placeCall(hooks, caller);
    const [refer] = await hooks.waitFor(1, { filter: (r) => r.path === '/refer', timeoutMs: 15000 });
    assert.equal(refer.params.CallSid, call.sid);
    assert.equal(refer.params.ReferTransferTarget, '<sip:carol@transfer.example.com?X-Transfer-Id=9>');
    const result = await transferor.done;
    assert.equal(result.code, 0, `the transferor got 202, the NOTIFYs and the BYE: ${result.errors}`);
    assert.equal((await caller.done).code, 0);
    assert.equal(hooks.requests.filter((r) => r.path === '/dialed').length, 0, 'the referUrl replaced the action');
  } finally {
    await transferor.stop();
    await caller.stop();
    await hooks.close();
  }
});

test('a REFER from the callee without a referUrl is declined (603) and recorded (13802)', async () => {
  const transferor = await startSipp({ scenario: scenario('uas_transfer.xml'), calls: 1, timeoutMs: 8000,
    extraArgs: ['-d', '500'] });
  const { p } = await dialAndWait({ legs: [transferor], dialAttrs: { timeLimit: 3 } });
  assert.equal(p.DialCallStatus, 'completed');
  const alerts = await sb.client().api.v2010.account.notifications.list({ limit: 50 });
  assert.ok(alerts.some((n) => n.errorCode === '13802' && n.callSid === p.DialCallSid), 'notification 13802');
});
