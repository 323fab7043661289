'use strict';
// <Record>: sipp speaks (g711a.pcap) and presses #; the action gets the recording, whose WAV is
// served at RecordingUrl with the duration reported, and listed under the call's Recordings.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');
const { readWav, rms } = require('./lib/wav');

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { assert.equal((await sb.stop()).code, 0); });

test('Record ends on #, posts RecordingUrl/RecordingDuration/Digits, and the WAV matches', async () => {
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      r.record({ action: '/recorded', maxLength: 20, recordingStatusCallback: '/recording-status' });
    } else if (req.path === '/recorded') {
      r.hangup();
    }
    return r;
  });
  const uas = await startSipp({ scenario: path.join(__dirname, 'scenarios/uas_record.xml'), timeoutMs: 25000,
    extraArgs: ['-mi', '127.0.0.1'] });
  try {
    const client = sb.client();
    const call = await client.calls.create({ to: `sip:rec@127.0.0.1:${uas.port}`, from: 'Jack', url: `${hooks.url}/voice` });
    const [action] = await hooks.waitFor(1, { filter: (r) => r.path === '/recorded', timeoutMs: 20000 });
    assert.equal(action.params.Digits, '#');
    assert.match(action.params.RecordingSid, /^RE[0-9a-f]{32}$/);
    const duration = Number(action.params.RecordingDuration);
    assert.ok(duration >= 2 && duration <= 5, `RecordingDuration ${duration}`);
    assert.equal(action.params.RecordingUrl,
      `${sb.baseUrl}/2010-04-01/Accounts/${sb.accountSid}/Recordings/${action.params.RecordingSid}`);

    // The media, without credentials, as Twilio serves it by default.
    for (const suffix of ['', '.wav']) {
      const res = await fetch(action.params.RecordingUrl + suffix);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'audio/x-wav');
      const wav = readWav(Buffer.from(await res.arrayBuffer()));
      assert.equal(wav.rate, 8000);
      assert.equal(wav.channels, 1);
      assert.ok(Math.abs(wav.seconds - duration) <= 0.5, `WAV ${wav.seconds} s vs RecordingDuration ${duration}`);
    }

    // The MP3 representation, encoded on first request.
    const mp3 = await fetch(`${action.params.RecordingUrl}.mp3`);
    assert.equal(mp3.status, 200);
    assert.equal(mp3.headers.get('content-type'), 'audio/mpeg');
    const bytes = Buffer.from(await mp3.arrayBuffer());
    const isId3 = bytes.toString('ascii', 0, 3) === 'ID3';
    const isFrame = bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0;  // MPEG frame sync
    assert.ok(isId3 || isFrame, `not MP3: ${bytes.subarray(0, 4).toString('hex')}`);
    // 32 kbit/s: about 4 kB per second of audio.
    assert.ok(bytes.length > 2000 * duration && bytes.length < 8000 * (duration + 1), `${bytes.length} bytes`);

    const [status] = await hooks.waitFor(1, { filter: (r) => r.path === '/recording-status' });
    assert.equal(status.params.RecordingStatus, 'completed');
    assert.equal(status.params.RecordingSid, action.params.RecordingSid);

    const recordings = await client.calls(call.sid).recordings.list();
    assert.equal(recordings.length, 1);
    assert.equal(recordings[0].sid, action.params.RecordingSid);
    assert.equal(recordings[0].duration, String(duration));
    assert.equal(recordings[0].source, 'RecordVerb');
    assert.equal(recordings[0].status, 'completed');
    const all = await client.recordings.list({ callSid: call.sid });
    assert.equal(all.length, 1);

    assert.equal(await client.recordings(action.params.RecordingSid).remove(), true);
    assert.equal((await fetch(action.params.RecordingUrl)).status, 404);
    assert.equal((await fetch(`${action.params.RecordingUrl}.mp3`)).status, 404);
    assert.equal((await uas.done).code, 0);
  } finally {
    await uas.stop();
    await hooks.close();
  }
});

test('Record=true on the call: a dual-channel OutboundAPI recording of the whole call', async () => {
  const seen = [];  // the recording as the API shows it when each status callback arrives
  const hooks = await startWebhookServer(async (req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      r.say('This call is recorded from the answer to the end, on two channels.');
      r.hangup();
    } else if (req.path === '/recording') {
      const media = await fetch(req.params.RecordingUrl);
      const found = await sb.client().recordings(req.params.RecordingSid).fetch().catch(() => undefined);
      seen.push(`${found ? found.status : 'missing'} ${media.status}`);
      if (req.params.RecordingStatus === 'in-progress') {
        // Not deletable while it is being written.
        seen.push(await sb.client().recordings(req.params.RecordingSid).remove().then(() => 'deleted', (e) => e.code));
      }
    }
    return r;
  });
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 25000 });
  try {
    const client = sb.client();
    const call = await client.calls.create({ to: `sip:rec@127.0.0.1:${uas.port}`, from: 'Jack', url: `${hooks.url}/voice`,
      record: true, recordingChannels: 'dual', recordingStatusCallback: `${hooks.url}/recording`,
      recordingStatusCallbackEvent: ['in-progress', 'completed'] });
    const events = await hooks.waitFor(2, { filter: (r) => r.path === '/recording', timeoutMs: 20000 });
    assert.deepEqual(events.map((e) => e.params.RecordingStatus), ['in-progress', 'completed']);
    await new Promise((r) => setTimeout(r, 300));  // the handlers' own lookups
    // Listed while in progress, its media served once completed.
    assert.deepEqual(seen, ['in-progress 404', 20009, 'completed 200']);
    const done = events[1].params;
    assert.equal(done.CallSid, call.sid);
    assert.equal(done.RecordingSource, 'OutboundAPI');
    assert.equal(done.RecordingChannels, '2');
    // Recording callbacks are not call-progress events: none of their parameters.
    for (const e of events) {
      assert.equal(e.params.CallbackSource, undefined);
      assert.equal(e.params.SequenceNumber, undefined);
    }
    const [recording] = await client.recordings.list({ callSid: call.sid });
    assert.equal(recording.sid, done.RecordingSid);
    const wav = readWav(Buffer.from(await (await fetch(`${done.RecordingUrl}.wav`)).arrayBuffer()));
    assert.equal(wav.channels, 2);
    assert.ok(Math.abs(wav.seconds - Number(done.RecordingDuration)) <= 1, `${wav.seconds} vs ${done.RecordingDuration}`);
    const [received, sent] = wav.samples.map(rms);
    assert.ok(sent > 300, `our <Say> is on channel 2 (rms ${sent})`);
    assert.ok(received < sent / 10, `sipp sent nothing: channel 1 is quiet (rms ${received})`);
    assert.equal((await uas.done).code, 0);
  } finally {
    await uas.stop();
    await hooks.close();
  }
});

test('<Record timeout>: the recording ends after that much silence, without Digits; silence alone keeps nothing', async () => {
  const hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    if (req.path === '/voice') {
      r.record({ action: '/recorded', timeout: 2, playBeep: false, recordingStatusCallback: '/status',
        recordingStatusCallbackEvent: 'completed absent' });
      r.redirect('/after-silence');
    } else {
      r.hangup();
    }
    return r;
  });
  // A talker: speech (sip-tester's g711a.pcap, about 5 s), then silence while the call stays up.
  const talker = await startSipp({ scenario: path.join(__dirname, 'scenarios/uas_play_bye.xml'), timeoutMs: 30000,
    extraArgs: ['-d', '15000', '-mi', '127.0.0.1'] });
  const quiet = await startSipp({ scenario: 'uas', timeoutMs: 20000 });
  try {
    const client = sb.client();
    const started = Date.now();
    await client.calls.create({ to: `sip:talker@127.0.0.1:${talker.port}`, from: 'Jack', url: `${hooks.url}/voice` });
    const [recorded] = await hooks.waitFor(1, { filter: (r) => r.path === '/recorded', timeoutMs: 20000 });
    assert.ok(Date.now() - started < 12000, 'ended by the silence, long before the talker hangs up');
    assert.equal(recorded.params.Digits, undefined);
    const duration = Number(recorded.params.RecordingDuration);
    assert.ok(duration >= 2 && duration <= 8, `RecordingDuration ${duration}`);

    const silent = await client.calls.create({ to: `sip:quiet@127.0.0.1:${quiet.port}`, from: 'Jack', url: `${hooks.url}/voice` });
    const [after] = await hooks.waitFor(1, { filter: (r) => r.path === '/after-silence', timeoutMs: 15000 });
    assert.equal(after.params.CallSid, silent.sid, 'only silence: no action request, the next verb runs');
    const [absent] = await hooks.waitFor(1, { filter: (r) => r.path === '/status' && r.params.CallSid === silent.sid });
    assert.equal(absent.params.RecordingStatus, 'absent');
    assert.equal((await client.recordings.list({ callSid: silent.sid })).length, 0);
  } finally {
    await talker.stop();
    await quiet.stop();
    await hooks.close();
  }
});
