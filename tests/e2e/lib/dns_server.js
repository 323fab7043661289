'use strict';
// A DNS server for e2e tests on 127.0.0.1 (UDP, a free port): answers A, SRV and NAPTR questions
// from a table with the minimal RFC 1035 wire format. Names in the table exist (empty answers for
// other types); any other name is NXDOMAIN. `questions` lists what was asked ("SRV _sip._udp.x").

const dgram = require('node:dgram');

const TYPES = { A: 1, AAAA: 28, SRV: 33, NAPTR: 35 };
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k]));

function encodeName(name) {
  const parts = name.split('.').filter(Boolean);
  const bytes = [];
  for (const p of parts) bytes.push(p.length, ...Buffer.from(p, 'ascii'));
  bytes.push(0);
  return Buffer.from(bytes);
}

function u16(v) { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; }
function text(s) { return Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'ascii')]); }

function rdataOf(type, r) {
  switch (type) {
    case 'A': return Buffer.from(r.split('.').map(Number));
    case 'SRV': return Buffer.concat([u16(r.priority), u16(r.weight), u16(r.port), encodeName(r.target)]);
    case 'NAPTR': return Buffer.concat([u16(r.order), u16(r.preference), text(r.flags), text(r.service), text(''),
      encodeName(r.replacement)]);
    default: throw new Error(`unsupported type ${type}`);
  }
}

// `records`: { 'name': { A: ['127.0.0.1'], SRV: [{priority, weight, port, target}], NAPTR: [...] } }.
async function startDnsServer(records) {
  const table = new Map(Object.entries(records).map(([k, v]) => [k.toLowerCase(), v]));
  const socket = dgram.createSocket('udp4');
  const questions = [];
  socket.on('message', (msg, peer) => {
    if (msg.length < 12) return;
    let p = 12;
    const labels = [];
    while (p < msg.length && msg[p] !== 0) {
      labels.push(msg.subarray(p + 1, p + 1 + msg[p]).toString('ascii'));
      p += 1 + msg[p];
    }
    if (p + 5 > msg.length) return;
    const name = labels.join('.').toLowerCase();
    const type = TYPE_NAMES[msg.readUInt16BE(p + 1)] || String(msg.readUInt16BE(p + 1));
    questions.push(`${type} ${name}`);
    const entry = table.get(name);
    const answers = entry && entry[type] ? entry[type] : [];
    const header = Buffer.from(msg.subarray(0, p + 5));
    header[2] = 0x80 | (msg[2] & 0x01);
    header[3] = 0x80 | (entry ? 0 : 3);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    const rrs = answers.map((r) => {
      const rdata = rdataOf(type, r);
      const fixed = Buffer.alloc(12);
      fixed.writeUInt16BE(0xc00c, 0);  // the question's name
      fixed.writeUInt16BE(TYPES[type], 2);
      fixed.writeUInt16BE(1, 4);  // IN
      fixed.writeUInt32BE(60, 6);
      fixed.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([fixed, rdata]);
    });
    socket.send(Buffer.concat([header, ...rrs]), peer.port, peer.address);
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    questions,
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}

module.exports = { startDnsServer };
