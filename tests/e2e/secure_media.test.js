'use strict';
// Calls to a real softphone (baresip): with `;secure=true` the INVITE goes over verified TLS and
// the media is SDES-SRTP (AES_CM_128_HMAC_SHA1_80) both ways, for a REST call and for a
// <Dial><Sip> leg; plain calls over UDP and TCP show the same phone works without security.
// baresip writes the audio it decoded to a WAV, so "it heard us" is checked on its side.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { makeCertificates } = require('./lib/certs');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');
const { startBaresip, skipWithoutBaresip, readWav, audioLevel, toneFrequency, rtpStats,
  sipTrace } = require('./lib/baresip');

const FINAL = ['completed', 'failed', 'busy', 'no-answer', 'canceled'];
// About three seconds of espeak-ng speech.
const SAY = '<Response><Say>This call is private, and only you can hear it. Goodbye.</Say></Response>';

let certs;
let sb;
test.before(async () => {
  if (skipWithoutBaresip) return;
  certs = makeCertificates();
  sb = await startSwitchboard({ args: ['--sip-tls', '127.0.0.1:0', '--tls-cert', certs.cert, '--tls-key', certs.key,
    '--tls-ca', certs.ca] });
});
test.after(async () => {
  if (sb) assert.equal((await sb.stop()).code, 0);
  if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
});

async function waitForStatus(sid, statuses, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = await sb.client().calls(sid).fetch();
    if (statuses.includes(call.status)) return call;
    if (Date.now() > deadline) throw new Error(`call ${sid} still ${call.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Asserts baresip got RTP without errors and decoded at least `minSeconds` of audio that is not
// silence; returns the decoded audio.
function assertHeardAudio(result, minSeconds) {
  const stats = rtpStats(result.output);
  assert.ok(stats && stats.received >= 50 * minSeconds && stats.errors === 0,
    `baresip's RTP statistics: ${JSON.stringify(stats)}`);
  assert.equal(result.recordings.length, 1, `one decoded-audio dump expected:\n${result.output}`);
  const wav = readWav(result.recordings[0]);
  const seconds = wav.samples.length / wav.sampleRate / wav.channels;
  const { rms, peak } = audioLevel(wav.samples);
  assert.ok(seconds >= minSeconds, `baresip decoded ${seconds.toFixed(2)} s of audio`);
  assert.ok(rms > 300 && peak > 3000, `baresip's received audio is silence (rms ${rms.toFixed(0)}, peak ${peak})`);
  return wav;
}

// Asserts the call used SDES-SRTP with AES_CM_128_HMAC_SHA1_80 over TLS signalling.
function assertSecure(phone, result) {
  const trace = sipTrace(result.output);
  const invite = trace.find((m) => m.text.startsWith('INVITE '));
  const ok = trace.find((m) => /^SIP\/2\.0 200 /.test(m.text) && /CSeq: \d+ INVITE/.test(m.text));
  assert.ok(invite && ok, `no INVITE/200 in baresip's trace:\n${result.output}`);
  assert.equal(invite.transport, 'TLS');
  assert.equal(invite.to, `127.0.0.1:${phone.tlsPort}`);
  assert.equal(ok.transport, 'TLS');
  for (const m of [invite, ok]) {
    assert.match(m.text, /^m=audio \d+ RTP\/SAVP /m);
    assert.match(m.text, /^a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}/m);
  }
  // baresip's srtp module keyed both directions with the suite and decrypted every packet.
  assert.match(result.output, /srtp: audio: SRTP is Enabled \(cryptosuite=AES_CM_128_HMAC_SHA1_80\)/);
  assert.doesNotMatch(result.output, /srtp: failed to (de|en)crypt/);
  const menc = phone.events.find((e) => e.type === 'CALL_MENC');
  assert.ok(menc && /AES_CM_128_HMAC_SHA1_80/.test(menc.param), JSON.stringify(phone.events));
}

// A REST call to `to` running `twiml`; resolves with the final call once baresip saw the hang-up.
async function restCall(phone, to, twiml = SAY) {
  const call = await sb.client().calls.create({ to, from: 'Jack', twiml });
  const final = await waitForStatus(call.sid, FINAL);
  await phone.waitForEvent('CALL_CLOSED', 5000);
  return final;
}

test('a REST call with secure=true runs over TLS and SRTP, and the phone hears the <Say>',
  { skip: skipWithoutBaresip, timeout: 30000 }, async () => {
    const phone = await startBaresip({ tls: certs, srtp: 'mand', timeoutMs: 25000 });
    try {
      const final = await restCall(phone, phone.uri({ secure: true }));
      const result = await phone.stop();
      assert.equal(final.status, 'completed', result.output);
      assert.ok(Number(final.duration) >= 1, `duration ${final.duration}`);
      assertSecure(phone, result);
      assertHeardAudio(result, 2);
    } finally {
      await phone.stop();
      phone.cleanup();
    }
  });

test('<Dial><Sip> with secure=true bridges a TLS+SRTP leg; the action gets completed and bridged',
  { skip: skipWithoutBaresip, timeout: 30000 }, async () => {
    const phone = await startBaresip({ tls: certs, srtp: 'mand', timeoutMs: 25000 });
    // The caller's leg: sipp answers and echoes the RTP it gets, so the phone hears its own tone
    // back through both legs of the bridge.
    const caller = await startSipp({ scenario: 'uas', calls: 1, timeoutMs: 25000, extraArgs: ['-rtp_echo'] });
    const hooks = await startWebhookServer((req) => {
      const r = new twilio.twiml.VoiceResponse();
      if (req.path === '/voice') r.dial({ action: '/dialed', timeout: 10 }).sip(phone.uri({ secure: true }));
      else if (req.path === '/dialed') r.hangup();
      return r;
    });
    try {
      const call = await sb.client().calls.create({ to: `sip:caller@127.0.0.1:${caller.port}`, from: 'Jack',
        url: `${hooks.url}/voice` });
      await phone.waitForEvent('CALL_ESTABLISHED', 10000);
      await new Promise((r) => setTimeout(r, 2000));
      const hangup = await phone.command('hangup');
      assert.equal(hangup.ok, true, JSON.stringify(hangup));
      const [dialed] = await hooks.waitFor(1, { filter: (r) => r.path === '/dialed', timeoutMs: 10000 });
      const p = dialed.params;
      assert.equal(p.CallSid, call.sid);
      assert.equal(p.DialCallStatus, 'completed');
      assert.equal(p.DialBridged, 'true');
      assert.equal(p.DialSipResponseCode, '200');
      assert.ok(Number(p.DialCallDuration) >= 1, `duration ${p.DialCallDuration}`);
      const child = await waitForStatus(p.DialCallSid, FINAL);
      assert.equal(child.status, 'completed');
      assert.equal(child.parentCallSid, call.sid);
      assert.equal((await waitForStatus(call.sid, FINAL)).status, 'completed');

      const result = await phone.stop();
      assertSecure(phone, result);
      // The phone's own 440 Hz tone came back: SRTP in, RTP to the echoing caller, SRTP out.
      const frequency = toneFrequency(assertHeardAudio(result, 1));
      assert.ok(Math.abs(frequency - 440) < 30, `baresip heard ${frequency.toFixed(0)} Hz, not its 440 Hz tone`);
      const callerResult = await caller.done;
      assert.equal(callerResult.code, 0, callerResult.errors);
    } finally {
      await phone.stop();
      phone.cleanup();
      await caller.stop();
      await hooks.close();
    }
  });

for (const transport of ['udp', 'tcp']) {
  test(`a plain call over ${transport.toUpperCase()} to baresip: RTP/AVP, and the phone hears the <Say>`,
    { skip: skipWithoutBaresip, timeout: 30000 }, async () => {
      const phone = await startBaresip({ timeoutMs: 25000 });
      try {
        const final = await restCall(phone, phone.uri({ transport }));
        const result = await phone.stop();
        assert.equal(final.status, 'completed', result.output);
        const trace = sipTrace(result.output);
        const invite = trace.find((m) => m.text.startsWith('INVITE '));
        assert.ok(invite, result.output);
        assert.equal(invite.transport, transport.toUpperCase());
        assert.match(invite.text, /^m=audio \d+ RTP\/AVP 0 8 101\r?$/m);
        assert.match(invite.text, /^a=rtpmap:101 telephone-event\/8000/m);
        assert.doesNotMatch(invite.text, /a=crypto:/);
        const ok = trace.find((m) => /^SIP\/2\.0 200 /.test(m.text) && /CSeq: \d+ INVITE/.test(m.text));
        assert.match(ok.text, /^m=audio \d+ RTP\/AVP 0 8 101\r?$/m);
        assert.match(ok.text, /^a=rtpmap:101 telephone-event\/8000/m);
        assert.ok(trace.some((m) => /^BYE /.test(m.text) && m.transport === transport.toUpperCase()));
        assertHeardAudio(result, 2);
      } finally {
        await phone.stop();
        phone.cleanup();
      }
    });
}

test('secure=true to a phone without SRTP: it refuses the RTP/SAVP offer (488) and the call fails',
  { skip: skipWithoutBaresip, timeout: 20000 }, async () => {
    const phone = await startBaresip({ tls: certs, srtp: false, timeoutMs: 15000 });
    const hooks = await startWebhookServer();
    try {
      const call = await sb.client().calls.create({ to: phone.uri({ secure: true }), from: 'Jack', twiml: SAY,
        statusCallback: `${hooks.url}/status` });
      const final = await waitForStatus(call.sid, FINAL);
      assert.equal(final.status, 'failed');
      const [status] = await hooks.waitFor(1, { filter: (r) => r.path === '/status' });
      assert.equal(status.params.CallStatus, 'failed');
      assert.equal(status.params.SipResponseCode, '488');
      const result = await phone.stop();
      const invite = sipTrace(result.output).find((m) => m.text.startsWith('INVITE '));
      assert.equal(invite.transport, 'TLS');
      assert.match(invite.text, /^m=audio \d+ RTP\/SAVP /m);
    } finally {
      await phone.stop();
      phone.cleanup();
      await hooks.close();
    }
  });
