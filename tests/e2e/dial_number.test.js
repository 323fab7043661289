'use strict';
// Phone numbers over SIP trunks: a REST call to an E.164 `To` and `<Dial><Number>` leave through
// the [[trunks]] of the configuration (sipp stands in for the carriers).

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');

const scenario = (name) => path.join(__dirname, 'scenarios', name);

async function waitForStatus(client, sid, statuses, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = await client.calls(sid).fetch();
    if (statuses.includes(call.status)) return call;
    if (Date.now() > deadline) throw new Error(`call ${sid} still ${call.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('E.164 calls and <Dial><Number> go through the matching trunk, with its credentials and number format', async () => {
  // Carrier A (+1415...) challenges with digest; carrier B (+1212..., digits format) answers.
  const carrierA = await startSipp({ scenario: scenario('auth_uas.xml'), calls: 1, timeoutMs: 30000, traceMessages: true });
  const carrierB = await startSipp({ scenario: scenario('uas_answer_bye.xml'), calls: 1, timeoutMs: 30000,
    traceMessages: true, extraArgs: ['-d', '1000'] });
  const sb = await startSwitchboard({ config: [
    '[[trunks]]', 'name = "carrier-a"', 'host = "127.0.0.1"', `port = ${carrierA.port}`, 'username = "alice"',
    'password = "secret"', 'prefixes = ["+1415"]',
    '[[trunks]]', 'name = "carrier-b"', 'host = "127.0.0.1"', `port = ${carrierB.port}`, 'number_format = "digits"',
    'prefixes = ["+1212"]', ''].join('\n') });
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      r.dial({ action: '/dialed' }).number({ sendDigits: '1w2', statusCallback: '/leg' }, '(212) 555-0100');
    } else if (req.path === '/dialed') {
      r.hangup();
    }
    return r;
  });
  try {
    const client = sb.client();
    const call = await client.calls.create({ to: '+14155550199', from: '+15005550006', url: `${hooks.url}/voice` });
    assert.equal(call.to, '+14155550199');
    const [dialed] = await hooks.waitFor(1, { filter: (r) => r.path === '/dialed', timeoutMs: 20000 });
    assert.equal(dialed.params.DialCallStatus, 'completed');
    assert.equal(dialed.params.DialBridged, 'true');
    const child = await waitForStatus(client, dialed.params.DialCallSid, ['completed']);
    assert.equal(child.to, '+12125550100');
    assert.equal(child.from, '+15005550006');
    const [leg] = await hooks.waitFor(1, { filter: (r) => r.path === '/leg' });
    assert.equal(leg.params.CallStatus, 'completed');
    assert.equal(leg.params.To, '+12125550100');

    const a = await carrierA.done;
    assert.equal(a.code, 0, `carrier A checked the trunk credentials: ${a.errors}`);
    assert.match(a.messages, /INVITE sip:\+14155550199@127\.0\.0\.1:\d+ SIP\/2\.0/);
    const b = await carrierB.done;
    assert.equal(b.code, 0, `carrier B: ${b.errors}`);
    assert.match(b.messages, /INVITE sip:12125550100@127\.0\.0\.1:\d+ SIP\/2\.0/);
    assert.equal((await waitForStatus(client, call.sid, ['completed'])).status, 'completed');

    // A number no trunk takes: refused by the API with 21214.
    await assert.rejects(client.calls.create({ to: '+33123456789', from: 'Jack', url: `${hooks.url}/voice` }),
      (e) => e.status === 400 && e.code === 21214);
  } finally {
    await carrierA.stop();
    await carrierB.stop();
    await hooks.close();
    assert.equal((await sb.stop()).code, 0);
  }
});

test('<Number> errors: no trunk for the number (13224) and a number that is not E.164 (13223)', async () => {
  const caller = await startSipp({ scenario: 'uas', calls: 1, timeoutMs: 20000 });
  const sb = await startSwitchboard({ config: '[[trunks]]\nname = "us"\nhost = "127.0.0.1"\nport = 9\nprefixes = ["+1"]\n' });
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      const dial = r.dial({ action: '/dialed' });
      dial.number('+33123456789');
      dial.number('555-12');
    } else if (req.path === '/dialed') {
      r.hangup();
    }
    return r;
  });
  try {
    const call = await sb.client().calls.create({ to: `sip:caller@127.0.0.1:${caller.port}`, from: 'Jack',
      url: `${hooks.url}/voice` });
    const [dialed] = await hooks.waitFor(1, { filter: (r) => r.path === '/dialed', timeoutMs: 15000 });
    assert.equal(dialed.params.DialCallStatus, 'failed');
    assert.equal(dialed.params.DialBridged, 'false');
    const codes = (await sb.client().api.v2010.account.notifications.list({ limit: 50 }))
      .filter((n) => n.callSid === call.sid).map((n) => n.errorCode).sort();
    assert.deepEqual(codes, ['13223', '13224']);
    assert.equal((await caller.done).code, 0);
  } finally {
    await caller.stop();
    await hooks.close();
    assert.equal((await sb.stop()).code, 0);
  }
});

test('[egress]: a SIP URI with ;region= or ;edge= leaves through that region\'s proxy', async () => {
  const proxy = await startSipp({ scenario: 'uas', calls: 2, timeoutMs: 20000, traceMessages: true });
  const sb = await startSwitchboard({ config: `[egress]\nie1 = "127.0.0.1:${proxy.port}"\n` });
  try {
    const client = sb.client();
    const twiml = '<Response><Hangup/></Response>';
    // 192.0.2.1 (TEST-NET) is unreachable: only the egress proxy can have answered.
    const a = await client.calls.create({ to: 'sip:bob@192.0.2.1;region=ie1', from: 'Jack', twiml });
    const b = await client.calls.create({ to: 'sip:carol@192.0.2.1;edge=dublin', from: 'Jack', twiml });
    for (const sid of [a.sid, b.sid]) assert.equal((await waitForStatus(client, sid, ['completed', 'failed'])).status, 'completed');
    const result = await proxy.done;
    assert.equal(result.code, 0, result.errors);
    assert.match(result.messages, /INVITE sip:bob@192\.0\.2\.1 SIP\/2\.0/);
    assert.match(result.messages, /INVITE sip:carol@192\.0\.2\.1 SIP\/2\.0/);
  } finally {
    await proxy.stop();
    assert.equal((await sb.stop()).code, 0);
  }
});

test('a call from a trunk to an IncomingPhoneNumber runs its application; SendDigits reach its <Gather>', async () => {
  // switchboard is its own carrier here: its trunk points at its own SIP port, so a REST call to
  // +14155550100 leaves through the trunk and comes back in as a call from that trunk.
  const { freeUdpPort } = require('./lib/sipp');
  const port = await freeUdpPort();
  const sb = await startSwitchboard({ sip: `127.0.0.1:${port}`, config: ['[[trunks]]', 'name = "loopback"',
    'host = "127.0.0.1"', `port = ${port}`, 'inbound_addresses = ["127.0.0.0/8"]', ''].join('\n') });
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/number') {
      r.gather({ numDigits: 4, timeout: 8, action: '/digits' });
    } else if (req.path === '/caller') {
      r.pause({ length: 10 });
    } else if (req.path === '/digits') {
      r.hangup();
    }
    return r;
  });
  try {
    const client = sb.client();
    const number = await client.incomingPhoneNumbers.create({ phoneNumber: '+14155550100', voiceUrl: `${hooks.url}/number` });
    const call = await client.calls.create({ to: '+14155550100', from: '+15005550006', url: `${hooks.url}/caller`,
      sendDigits: '1w234' });
    const [voice] = await hooks.waitFor(1, { filter: (r) => r.path === '/number', timeoutMs: 10000 });
    assert.equal(voice.params.Direction, 'inbound');
    assert.equal(voice.params.To, '+14155550100');
    assert.equal(voice.params.From, '+15005550006');
    assert.equal(voice.params.SipDomain, undefined);
    const [digits] = await hooks.waitFor(1, { filter: (r) => r.path === '/digits', timeoutMs: 15000 });
    assert.equal(digits.params.Digits, '1234');
    const inbound = await client.calls(voice.params.CallSid).fetch();
    assert.equal(inbound.phoneNumberSid, number.sid);
    assert.equal((await waitForStatus(client, call.sid, ['completed'])).status, 'completed');

    // A number nobody owns: 404; the outbound leg fails.
    const nobody = await client.calls.create({ to: '+14155550199', from: 'Jack', url: `${hooks.url}/caller` });
    const failed = await waitForStatus(client, nobody.sid, ['failed', 'completed', 'busy', 'no-answer']);
    assert.equal(failed.status, 'failed');
  } finally {
    await hooks.close();
    assert.equal((await sb.stop()).code, 0);
  }
});
