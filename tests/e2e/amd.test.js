'use strict';
// Answering machine detection: MachineDetection on a REST call (waited for, or AsyncAmd) and
// machineDetection on a <Dial><Sip> leg, against sipp legs that stay silent or talk.

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

function hangupHooks(extra = () => null) {
  return startWebhookServer((req) => {
    const custom = extra(req);
    if (custom) return custom;
    const r = new twilio.twiml.VoiceResponse();
    r.hangup();
    return r;
  });
}

test('MachineDetection=Enable: a line that stays silent is "unknown" after the silence timeout', async () => {
  const hooks = await hangupHooks();
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 20000 });
  try {
    const call = await sb.client().calls.create({ to: `sip:quiet@127.0.0.1:${uas.port}`, from: 'Jack',
      url: `${hooks.url}/voice`, machineDetection: 'Enable', machineDetectionSilenceTimeout: 2000 });
    const [voice] = await hooks.waitFor(1, { filter: (r) => r.path === '/voice', timeoutMs: 15000 });
    assert.equal(voice.params.AnsweredBy, 'unknown');
    const duration = Number(voice.params.MachineDetectionDuration);
    assert.ok(duration >= 1900 && duration <= 3500, `MachineDetectionDuration ${duration}`);
    assert.equal((await uas.done).code, 0);
    const fetched = await sb.client().calls(call.sid).fetch();
    assert.equal(fetched.answeredBy, 'unknown');
  } finally {
    await uas.stop();
    await hooks.close();
  }
});

test('MachineDetection=Enable: a greeting that keeps talking is "machine_start"', async () => {
  const hooks = await hangupHooks();
  const uas = await startSipp({ scenario: scenario('uas_play_bye.xml'), timeoutMs: 20000,
    extraArgs: ['-d', '8000', '-mi', '127.0.0.1'] });
  try {
    await sb.client().calls.create({ to: `sip:machine@127.0.0.1:${uas.port}`, from: 'Jack', url: `${hooks.url}/voice`,
      machineDetection: 'Enable', machineDetectionSpeechThreshold: 1500 });
    const [voice] = await hooks.waitFor(1, { filter: (r) => r.path === '/voice', timeoutMs: 15000 });
    assert.equal(voice.params.AnsweredBy, 'machine_start');
  } finally {
    await uas.stop();
    await hooks.close();
  }
});

test('AsyncAmd: the TwiML runs at once and the decision goes to AsyncAmdStatusCallback', async () => {
  const hooks = await hangupHooks((req) => {
    if (req.path !== '/voice') return null;
    const r = new twilio.twiml.VoiceResponse();
    r.pause({ length: 4 });
    r.hangup();
    return r;
  });
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 20000 });
  try {
    const call = await sb.client().calls.create({ to: `sip:async@127.0.0.1:${uas.port}`, from: 'Jack',
      url: `${hooks.url}/voice`, machineDetection: 'Enable', asyncAmd: 'true', machineDetectionSilenceTimeout: 2000,
      asyncAmdStatusCallback: `${hooks.url}/amd` });
    const [voice] = await hooks.waitFor(1, { filter: (r) => r.path === '/voice' });
    assert.equal(voice.params.AnsweredBy, undefined, 'not decided yet when the TwiML is fetched');
    const [amd] = await hooks.waitFor(1, { filter: (r) => r.path === '/amd', timeoutMs: 10000 });
    assert.equal(amd.params.CallSid, call.sid);
    assert.equal(amd.params.AnsweredBy, 'unknown');
    assert.ok(Number(amd.params.MachineDetectionDuration) >= 1900);
    assert.ok(twilio.validateRequest(sb.authToken, amd.headers['x-twilio-signature'], `${hooks.url}/amd`, amd.params));
  } finally {
    await uas.stop();
    await hooks.close();
  }
});

test('<Sip machineDetection>: the leg\'s decision goes to amdStatusCallback', async () => {
  const callee = await startSipp({ scenario: scenario('uas_play_bye.xml'), timeoutMs: 20000,
    extraArgs: ['-d', '6000', '-mi', '127.0.0.1'] });
  const hooks = await hangupHooks((req) => {
    if (req.path !== '/voice') return null;
    const r = new twilio.twiml.VoiceResponse();
    r.dial().sip({ machineDetection: 'Enable', machineDetectionSpeechThreshold: 1500, amdStatusCallback: '/amd' },
      `sip:callee@127.0.0.1:${callee.port}`);
    return r;
  });
  const caller = await startSipp({ scenario: 'uas', timeoutMs: 25000 });
  try {
    const call = await sb.client().calls.create({ to: `sip:caller@127.0.0.1:${caller.port}`, from: 'Jack',
      url: `${hooks.url}/voice` });
    const [amd] = await hooks.waitFor(1, { filter: (r) => r.path === '/amd', timeoutMs: 15000 });
    assert.equal(amd.params.AnsweredBy, 'machine_start');
    const child = await sb.client().calls(amd.params.CallSid).fetch();
    assert.equal(child.parentCallSid, call.sid);
  } finally {
    await callee.stop();
    await caller.stop();
    await hooks.close();
  }
});
