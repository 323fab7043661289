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

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { assert.equal((await sb.stop()).code, 0); });

// Seconds of audio in a WAV file: data chunk bytes / byte rate.
function wavSeconds(buffer) {
  assert.equal(buffer.toString('ascii', 0, 4), 'RIFF');
  assert.equal(buffer.toString('ascii', 8, 12), 'WAVE');
  const channels = buffer.readUInt16LE(22);
  const rate = buffer.readUInt32LE(24);
  const byteRate = buffer.readUInt32LE(28);
  let offset = 12;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    if (id === 'data') return { seconds: size / byteRate, channels, rate };
    offset += 8 + size;
  }
  throw new Error('no data chunk');
}

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
      const wav = wavSeconds(Buffer.from(await res.arrayBuffer()));
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
