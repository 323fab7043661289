'use strict';
// What switchboard's own SIP listener answers outside calls to domains: OPTIONS pings and
// requests out of hops (calls into SIP domains: sip_domain_calls.test.js).

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { assert.equal((await sb.stop()).code, 0); });

test('an INVITE with Max-Forwards 0 is answered 483 Too Many Hops', async () => {
  const uac = await startSipp({ scenario: path.join(__dirname, 'scenarios/uac_max_forwards_zero.xml'),
    remote: `127.0.0.1:${sb.sipPort}`, timeoutMs: 10000 });
  const result = await uac.done;
  assert.equal(result.code, 0, `${result.output.slice(-2000)}\n${result.errors}`);
});

test('OPTIONS to switchboard is answered 200', async () => {
  const uac = await startSipp({ scenario: path.join(__dirname, 'scenarios/options_uac.xml'),
    remote: `127.0.0.1:${sb.sipPort}`, timeoutMs: 10000 });
  const result = await uac.done;
  assert.equal(result.code, 0, `${result.output.slice(-2000)}\n${result.errors}`);
});

test('a malformed request is answered 400 naming the fault and counted in /metrics', async () => {
  const dgram = require('node:dgram');
  const metric = async (name) => {
    const text = await (await fetch(`${sb.baseUrl}/metrics`)).text();
    const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  const before = await metric('switchboard_sip_malformed_answered_total');
  assert.ok(Number.isFinite(before), 'the metric is exported');
  const socket = dgram.createSocket('udp4');
  try {
    const answer = new Promise((resolve, reject) => {
      socket.once('message', (m) => resolve(m.toString()));
      setTimeout(() => reject(new Error('no answer')), 5000);
    });
    const request = 'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bKbad1\r\n' +
      'From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
    await new Promise((r) => socket.bind(0, '127.0.0.1', r));
    socket.send(request, sb.sipPort, '127.0.0.1');
    const text = await answer;
    assert.match(text, /^SIP\/2\.0 400 .*Call-ID/);
  } finally {
    socket.close();
  }
  assert.equal(await metric('switchboard_sip_malformed_answered_total'), before + 1);
  const res = await fetch(`${sb.baseUrl}/metrics`);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4');
  assert.match(await res.text(), /^# TYPE switchboard_calls_active gauge$/m);
});

test('the same request arriving again on another branch (a loop) is answered 482 Loop Detected', async () => {
  const uac = await startSipp({ scenario: path.join(__dirname, 'scenarios/uac_merged_request.xml'),
    remote: `127.0.0.1:${sb.sipPort}`, timeoutMs: 10000 });
  const result = await uac.done;
  assert.equal(result.code, 0, `${result.output.slice(-2000)}\n${result.errors}`);
});
