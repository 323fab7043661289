'use strict';
// RFC 3263 end to end: switchboard asks the DNS server of sip.dns_server for NAPTR, SRV and A
// records of a call's SIP domain, fails over from a target that refuses the connection, and
// reaches sipp. A name that does not exist fails the call.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');
const { startDnsServer } = require('./lib/dns_server');

// A TCP port on 127.0.0.1 nobody listens on (bound once, then released).
function closedTcpPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForStatus(client, sid, statuses, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = await client.calls(sid).fetch();
    if (statuses.includes(call.status)) return call;
    if (Date.now() > deadline) throw new Error(`call ${sid} still ${call.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a call to a SIP domain follows NAPTR and SRV, fails over from a refused target, and reaches sipp', async () => {
  const hooks = await startWebhookServer((req) => {
    if (req.path !== '/voice') return '';
    const r = new twilio.twiml.VoiceResponse();
    r.hangup();
    return r;
  });
  const uas = await startSipp({ scenario: 'uas', calls: 1, timeoutMs: 20000, traceMessages: true });
  const dns = await startDnsServer({
    'pbx.test': {
      NAPTR: [
        { order: 10, preference: 10, flags: 's', service: 'SIP+D2T', replacement: '_sip._tcp.pbx.test' },
        { order: 20, preference: 10, flags: 's', service: 'SIP+D2U', replacement: '_sip._udp.pbx.test' },
      ],
    },
    '_sip._tcp.pbx.test': { SRV: [{ priority: 10, weight: 0, port: await closedTcpPort(), target: 'down.pbx.test' }] },
    '_sip._udp.pbx.test': { SRV: [{ priority: 10, weight: 0, port: uas.port, target: 'up.pbx.test' }] },
    'down.pbx.test': { A: ['127.0.0.1'] },
    'up.pbx.test': { A: ['127.0.0.1'] },
  });
  const sb = await startSwitchboard({ config: `[sip]\ndns_server = "${dns.address}"\n` });
  try {
    const client = sb.client();
    const call = await client.calls.create({ to: 'sip:kate@pbx.test', from: 'Jack', url: `${hooks.url}/voice` });
    const final = await waitForStatus(client, call.sid, ['completed', 'failed', 'busy', 'no-answer']);
    assert.equal(final.status, 'completed');
    const sipp = await uas.done;
    assert.equal(sipp.code, 0, `sipp failed: ${sipp.errors}`);
    assert.match(sipp.messages, /INVITE sip:kate@pbx\.test SIP\/2\.0/);
    assert.match(sipp.messages, /Via: SIP\/2\.0\/UDP /);
    for (const q of ['NAPTR pbx.test', 'SRV _sip._tcp.pbx.test', 'SRV _sip._udp.pbx.test', 'A up.pbx.test']) {
      assert.ok(dns.questions.includes(q), `asked ${q}: ${dns.questions.join(', ')}`);
    }
    assert.match(sb.stderr + sb.stdout, /trying UDP 127\.0\.0\.1:/);
  } finally {
    assert.equal((await sb.stop()).code, 0);
    await uas.stop();
    await hooks.close();
    await dns.close();
  }
});

test('a call to a SIP domain that does not exist fails', async () => {
  const dns = await startDnsServer({});
  const sb = await startSwitchboard({ config: `[sip]\ndns_server = "${dns.address}"\n` });
  try {
    const client = sb.client();
    const call = await client.calls.create({ to: 'sip:kate@nowhere.test', from: 'Jack', twiml: '<Response/>' });
    const final = await waitForStatus(client, call.sid, ['completed', 'failed', 'busy', 'no-answer']);
    assert.equal(final.status, 'failed');
    assert.deepEqual(dns.questions, ['NAPTR nowhere.test']);
  } finally {
    assert.equal((await sb.stop()).code, 0);
    await dns.close();
  }
});
