'use strict';
// Reads a classic little-endian pcap (as `dumpcap -P` writes it): yields each IPv4 UDP or TCP
// packet with a payload as { t (ms since the epoch), proto, sport, dport, len, text }.
// Used by bench/calls.js and bench/dial.js.

const fs = require('node:fs');

function* packets(file) {
  const b = fs.readFileSync(file);
  const magic = b.readUInt32LE(0);
  const nano = magic === 0xa1b23c4d;
  if (magic !== 0xa1b2c3d4 && !nano) throw new Error(`not a little-endian pcap: ${file}`);
  const link = b.readUInt32LE(20);
  const l2 = { 1: 14, 113: 16, 276: 20, 0: 4 }[link];
  if (l2 === undefined) throw new Error(`link type ${link}`);
  for (let o = 24; o + 16 <= b.length;) {
    const sec = b.readUInt32LE(o), frac = b.readUInt32LE(o + 4), incl = b.readUInt32LE(o + 8);
    const t = sec * 1000 + (nano ? frac / 1e6 : frac / 1e3); // ms
    const p = b.subarray(o + 16, o + 16 + incl);
    o += 16 + incl;
    const ip = p.subarray(l2);
    if (ip.length < 20 || (ip[0] >> 4) !== 4) continue;
    const ihl = (ip[0] & 15) * 4, proto = ip[9], total = ip.readUInt16BE(2);
    const l4 = ip.subarray(ihl, total); // shorter than `total` when the snap length cut it
    if (l4.length < 4) continue;
    const sport = l4.readUInt16BE(0), dport = l4.readUInt16BE(2);
    let payload;
    if (proto === 17) payload = l4.subarray(8);
    else if (proto === 6) payload = l4.subarray((l4[12] >> 4) * 4);
    else continue;
    const len = proto === 17 ? total - ihl - 8 : payload.length;
    if (len === 0) continue;
    yield { t, proto, sport, dport, len, text: payload.toString('latin1') };
  }
}

module.exports = { packets };
