'use strict';
// Reading the WAV files switchboard records (16-bit PCM, mono or two channels) in tests.

const assert = require('node:assert/strict');

// { channels (count), rate, bits, seconds, samples: one Int16Array per channel }.
function readWav(buf) {
  assert.equal(buf.toString('ascii', 0, 4), 'RIFF');
  assert.equal(buf.toString('ascii', 8, 12), 'WAVE');
  let fmt;
  for (let o = 12; o + 8 <= buf.length;) {
    const id = buf.toString('ascii', o, o + 4);
    const size = buf.readUInt32LE(o + 4);
    if (id === 'fmt ') {
      fmt = { channels: buf.readUInt16LE(o + 10), rate: buf.readUInt32LE(o + 12), bits: buf.readUInt16LE(o + 22) };
    }
    if (id === 'data') {
      const frames = Math.floor(size / 2 / fmt.channels);
      const samples = Array.from({ length: fmt.channels }, () => new Int16Array(frames));
      for (let i = 0; i < frames; ++i) {
        for (let c = 0; c < fmt.channels; ++c) samples[c][i] = buf.readInt16LE(o + 8 + (i * fmt.channels + c) * 2);
      }
      return { ...fmt, samples, seconds: frames / fmt.rate };
    }
    o += 8 + size;
  }
  throw new Error('no data chunk');
}

// Root mean square of samples: ~0 for silence, hundreds to thousands for speech.
const rms = (samples) => Math.sqrt(samples.reduce((a, s) => a + s * s, 0) / Math.max(1, samples.length));

module.exports = { readWav, rms };
