'use strict';
// Registered contacts that switchboard keeps reachable or gives up on, and REGISTER floods:
// OPTIONS keep-alives to a contact behind a NAT (sent to the address its REGISTER came from,
// not to its Contact), a TCP registration dropped when its connection closes (a call to the user
// then fails with 32009), and the per-source REGISTER rate limit (503 with 32008) while another
// source keeps registering.

const test = require('node:test');
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const path = require('node:path');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp, freeUdpPort } = require('./lib/sipp');

const scenario = (name) => path.join(__dirname, 'scenarios', name);
const PASSWORD = 'Correct-Horse-42';
const DOMAIN = 'reach.sip.switchboard.local';
const RATE = 20;  // REGISTERs per second per source: bursts of 40

let sb;
let client;

test.before(async () => {
  sb = await startSwitchboard({
    config: `[sip]\nnat_keepalive_seconds = 1\nregister_rate_limit = ${RATE}\n`,
  });
  client = sb.client();
  const list = await client.sip.credentialLists.create({ friendlyName: 'phones' });
  for (const username of ['natphone', 'lanphone', 'tcpphone', 'steady']) {
    await client.sip.credentialLists(list.sid).credentials.create({ username, password: PASSWORD });
  }
  const domain = await client.sip.domains.create({ domainName: DOMAIN, sipRegistration: true });
  await client.sip.domains(domain.sid).auth.registrations.credentialListMappings.create({ credentialListSid: list.sid });
});
test.after(async () => {
  if (sb) assert.equal((await sb.stop()).code, 0);
});

const metrics = async () => (await fetch(`${sb.baseUrl}/metrics`)).text();
const metric = (text, name) => Number((new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text) || [])[1] || 0);

// A phone that registers, then stays up `holdMs` (answering OPTIONS, -aa). Resolves sipp's result.
async function registerAndHold({ user, localIp, contact, holdMs, transport = 'u1', port }) {
  port = port || (await freeUdpPort());
  const run = await startSipp({ scenario: scenario('uac_register_hold.xml'), remote: `127.0.0.1:${sb.sipPort}`, localIp,
    port, transport, timeoutMs: holdMs + 10000, traceMessages: true,
    extraArgs: ['-key', 'domain', DOMAIN, '-key', 'contact', contact(port), '-s', user, '-au', user, '-ap', PASSWORD,
      '-d', String(holdMs), '-aa'] });
  return { run, port };
}

// The contacts of `user` as a REGISTER without Contact (a query) lists them.
async function bindingsOf(user, localIp) {
  const run = await startSipp({ scenario: scenario('uac_register.xml'), remote: `127.0.0.1:${sb.sipPort}`, localIp,
    timeoutMs: 10000, traceMessages: true,
    extraArgs: ['-key', 'domain', DOMAIN, '-key', 'contact', 'X-Query: 1', '-key', 'expires', 'X-No-Expires: 1',
      '-s', user, '-au', user, '-ap', PASSWORD] });
  const result = await run.done;
  const responses = result.messages.split(/^-{5,}.*$/m).filter((m) => /^SIP\/2\.0 \d{3}/m.test(m));
  const final = responses[responses.length - 1] || '';
  assert.match(final, /^SIP\/2\.0 200 /m, result.messages.slice(-2000));
  return [...final.matchAll(/^Contact: (.*)$/gim)].map((m) => m[1].trim());
}

const received = (messages, method) => messages.split(/^-{5,}.*$/m)
  .filter((m) => /message received/.test(m))
  .map((m) => m.replace(/^\s*\S+ message received.*\n/, '').trim())
  .filter((m) => m.startsWith(`${method} `));

test('a contact behind a NAT gets OPTIONS keep-alives at the address it registered from; one that is not, none',
  async () => {
    const before = metric(await metrics(), 'switchboard_sip_nat_keepalives_sent_total');
    // natphone writes a private address in Contact, as a phone behind a NAT does; lanphone's
    // Contact is where it sends from.
    const nat = await registerAndHold({ user: 'natphone', localIp: '127.0.0.31', holdMs: 4000,
      contact: () => 'Contact: <sip:natphone@192.0.2.77:5060>' });
    const lan = await registerAndHold({ user: 'lanphone', localIp: '127.0.0.32', holdMs: 4000,
      contact: (port) => `Contact: <sip:lanphone@127.0.0.32:${port}>` });
    const [natResult, lanResult] = await Promise.all([nat.run.done, lan.run.done]);
    assert.match(natResult.messages, /SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/, natResult.messages.slice(-2000));
    const pings = received(natResult.messages, 'OPTIONS');
    // Every second (the configured interval) while the phone held the registration for 4 s.
    assert.ok(pings.length >= 2, `OPTIONS received by the NATed phone: ${pings.length}\n${natResult.messages.slice(-3000)}`);
    for (const p of pings) {
      assert.match(p, /^OPTIONS sip:natphone@192\.0\.2\.77:5060 SIP\/2\.0/, 'Request-URI: the registered Contact');
      assert.match(p, /^Via: SIP\/2\.0\/UDP /m);
    }
    assert.match(natResult.messages, /message sent[\s\S]*SIP\/2\.0 200 OK[\s\S]*CSeq: \d+ OPTIONS/, 'sipp answered 200');
    assert.equal(received(lanResult.messages, 'OPTIONS').length, 0, 'no keep-alives where Contact is the source');
    const after = await metrics();
    assert.ok(metric(after, 'switchboard_sip_nat_keepalives_sent_total') - before >= 2, after);
    assert.ok(metric(after, 'switchboard_sip_nat_keepalive_contacts') >= 1, after);
  });

test('a TCP registration is dropped when its connection closes; a call to the user then fails with 32009',
  async () => {
    const { run, port } = await registerAndHold({ user: 'tcpphone', localIp: '127.0.0.33', holdMs: 3000,
      transport: 't1', contact: (p) => `Contact: <sip:tcpphone@127.0.0.33:${p};transport=tcp>` });
    const contact = `<sip:tcpphone@127.0.0.33:${port};transport=tcp>`;
    // While the connection is open, the binding is listed.
    let listed = [];
    for (let i = 0; i < 10 && !listed.some((c) => c.startsWith(contact)); i++) {
      listed = await bindingsOf('tcpphone', '127.0.0.34');
      if (!listed.some((c) => c.startsWith(contact))) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(listed.some((c) => c.startsWith(`${contact};expires=`)), `listed while connected: ${listed.join(', ')}`);
    const result = await run.done;
    assert.equal(result.code, 0, result.output.slice(-2000));
    // sipp has exited: its connection is closed, and with it the binding.
    let after = listed;
    for (let i = 0; i < 10 && after.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 300));
      after = await bindingsOf('tcpphone', '127.0.0.34');
    }
    assert.deepEqual(after, [], 'the binding is gone once its connection closed');
    assert.match(sb.stderr, /connection of sip:tcpphone@127\.0\.0\.33:\d+;transport=tcp \(sip:tcpphone\) closed: binding dropped/);
    assert.ok(metric(await metrics(), 'switchboard_sip_registrations_dropped_total') >= 1);

    const call = await client.calls.create({ to: `sip:tcpphone@${DOMAIN}`, from: 'Reception',
      twiml: '<Response><Hangup/></Response>' });
    let final;
    for (let i = 0; i < 50; i++) {
      final = await client.calls(call.sid).fetch();
      if (final.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(final.status, 'failed');
    const alerts = await client.api.v2010.account.notifications.list({ limit: 100 });
    assert.ok(alerts.some((n) => n.errorCode === '32009' && n.callSid === call.sid), 'notification 32009');
  });

test('a burst of REGISTERs from one source over the rate limit gets 503 with 32008; another source keeps registering',
  async () => {
    const before = metric(await metrics(), 'switchboard_sip_register_refused_total{code="32008"}');
    const socket = dgram.createSocket('udp4');
    await new Promise((resolve) => socket.bind(0, '127.0.0.35', resolve));
    const { port } = socket.address();
    const replies = [];
    socket.on('message', (m) => replies.push(m.toString()));
    const steady = registerAndHold({ user: 'steady', localIp: '127.0.0.36', holdMs: 100,
      contact: (p) => `Contact: <sip:steady@127.0.0.36:${p}>` });
    const burst = 100;
    for (let i = 0; i < burst; i++) {
      socket.send([
        `REGISTER sip:${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.35:${port};branch=z9hG4bK-burst-${i};rport`,
        'Max-Forwards: 70',
        `From: <sip:natphone@${DOMAIN}>;tag=b${i}`,
        `To: <sip:natphone@${DOMAIN}>`,
        `Call-ID: burst-${i}@127.0.0.35`,
        'CSeq: 1 REGISTER',
        `Contact: <sip:natphone@127.0.0.35:${port}>`,
        'Content-Length: 0', '', ''].join('\r\n'), sb.sipPort, '127.0.0.1');
    }
    const { run } = await steady;
    const steadyResult = await run.done;
    const deadline = Date.now() + 5000;
    while (replies.length < burst && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    socket.close();
    const status = (r) => /^SIP\/2\.0 (\d{3})/.exec(r)[1];
    const limited = replies.filter((r) => status(r) === '503');
    const challenged = replies.filter((r) => status(r) === '401');
    assert.equal(replies.length, burst, 'every REGISTER is answered');
    // A full bucket (40) and what refills while the burst is processed (well under 2 s, even on
    // a busy machine); the rest refused.
    assert.ok(challenged.length >= 2 * RATE && challenged.length <= 4 * RATE, `401s: ${challenged.length}`);
    assert.equal(limited.length, burst - challenged.length);
    for (const r of limited) {
      assert.match(r, /^SIP\/2\.0 503 Service Unavailable\r$/m);
      assert.match(r, /^Retry-After: [1-9]\d*\r$/m);
      assert.match(r, /^X-Twilio-Error: 32008 /m);
    }
    assert.equal(steadyResult.code, 0, steadyResult.messages.slice(-2000));
    assert.match(steadyResult.messages, /SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/, 'the other source registered');
    const text = await metrics();
    assert.equal(metric(text, 'switchboard_sip_register_refused_total{code="32008"}') - before, limited.length, text);
    assert.equal(sb.logLines(/127\.0\.0\.35 over the rate limit/).length, 1, 'logged once, not per REGISTER');
  });
