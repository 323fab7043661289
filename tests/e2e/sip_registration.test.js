'use strict';
// SIP registration: a domain with sipRegistration and a credential list mapped for registrations
// (twilio-node), then sipp and baresip register to it: digest (right and wrong password), the
// expiry bounds, several contacts and un-registration, "*", UDP and TLS, a restart that keeps the
// bindings, and a flood of bad REGISTERs that bans its source while others keep registering.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp, freeUdpPort } = require('./lib/sipp');
const { startBaresip, skipWithoutBaresip, sipTrace } = require('./lib/baresip');
const { makeCertificates } = require('./lib/certs');

const scenario = (name) => path.join(__dirname, 'scenarios', name);
const PASSWORD = 'Correct-Horse-42';
const DOMAIN = 'phones.sip.switchboard.local';

let sb;
let client;
let domain;
let certs;
const tlsPort = (s) => Number(/SIP \(TLS\):\s+127\.0\.0\.1:(\d+)/.exec(s.stdout)[1]);
const startServer = async (dataDir, sip) => {
  const token = sb && sb.authToken;  // a restart does not print the token again
  const server = await startSwitchboard({
    dataDir,
    sip,
    config: '[sip]\nauth_max_failures = 5\nauth_ban_seconds = 60\n',
    args: ['--sip-tls', '127.0.0.1:0', '--tls-cert', certs.cert, '--tls-key', certs.key, '--tls-ca', certs.ca],
  });
  server.authToken = server.authToken || token;
  return server;
};

test.before(async () => {
  certs = makeCertificates();
  sb = await startServer();
  client = sb.client();
  const list = await client.sip.credentialLists.create({ friendlyName: 'phones' });
  for (const username of ['alice', 'bob', 'carol', 'dave']) {
    await client.sip.credentialLists(list.sid).credentials.create({ username, password: PASSWORD });
  }
  domain = await client.sip.domains.create({ domainName: DOMAIN, sipRegistration: true });
  await client.sip.domains(domain.sid).auth.registrations.credentialListMappings.create({ credentialListSid: list.sid });
  const closed = await client.sip.domains.create({ domainName: 'noreg.sip.switchboard.local' });
  await client.sip.domains(closed.sid).auth.registrations.credentialListMappings.create({ credentialListSid: list.sid });
});
test.after(async () => {
  if (sb) assert.equal((await sb.stop()).code, 0);
  if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
});

// One sipp REGISTER (challenged, then with credentials). Resolves sipp's result and the final
// response (status line and headers) from the trace.
async function register({ user = 'alice', password = PASSWORD, contact, expires = 'X-No-Expires: 1',
  localIp = '127.0.0.1', port, domainName = DOMAIN }) {
  const isPortGiven = Boolean(port);
  let result;
  // A port found free can be taken by a parallel test file before sipp binds it: sipp then exits
  // at once ("Unable to bind"), having sent nothing. Such a run is retried on other ports.
  for (let attempt = 1; ; attempt++) {
    port = isPortGiven ? port : await freeUdpPort();
    const c = contact || `Contact: <sip:${user}@${localIp}:${port}>`;
    const run = await startSipp({ scenario: scenario('uac_register.xml'), remote: `127.0.0.1:${sb.sipPort}`, localIp,
      port, timeoutMs: 10000, traceMessages: true,
      extraArgs: ['-key', 'domain', domainName, '-key', 'contact', c, '-key', 'expires', expires, '-s', user,
        '-au', user, '-ap', password] });
    result = await run.done;
    if (attempt === 3 || isPortGiven || !/Unable to bind/.test(result.output)) break;
  }
  const responses = result.messages.split(/^-{5,}.*$/m).filter((m) => /^SIP\/2\.0 \d{3}/m.test(m));
  const final = responses[responses.length - 1] || '';
  const status = (/SIP\/2\.0 (\d{3})/.exec(final) || [])[1];
  const contacts = [...final.matchAll(/^Contact: (.*)$/gim)].map((m) => m[1].trim());
  return { result, final, status, contacts, port, messages: result.messages };
}

test('a phone with the right password registers; the 200 lists its contact with the expiry and a Date', async () => {
  const r = await register({ user: 'alice', expires: 'Expires: 1800' });
  assert.equal(r.status, '200', r.messages.slice(-3000));
  assert.match(r.messages, /SIP\/2\.0 401 Unauthorized[\s\S]*WWW-Authenticate: Digest realm="switchboard"/);
  assert.deepEqual(r.contacts, [`<sip:alice@127.0.0.1:${r.port}>;expires=1800`]);
  assert.match(r.final, /^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/m);
});

test('a wrong password and an unknown user get the same 403', async () => {
  const wrong = await register({ user: 'bob', password: 'Wrong-Password-1', localIp: '127.0.0.2' });
  assert.equal(wrong.status, '403');
  assert.match(wrong.final, /X-Twilio-Error: 32212/);
  const unknown = await register({ user: 'mallory', localIp: '127.0.0.2' });
  assert.equal(unknown.status, '403');
  const line = (m) => /^SIP\/2\.0 .*$/m.exec(m)[0] + /X-Twilio-Error: .*/.exec(m)[0];
  assert.equal(line(wrong.final), line(unknown.final));
});

test('registration must be enabled on the domain (403, 32210)', async () => {
  const r = await register({ user: 'alice', domainName: 'noreg.sip.switchboard.local', localIp: '127.0.0.3' });
  assert.equal(r.status, '403');
  assert.match(r.final, /X-Twilio-Error: 32210/);
});

test('an expiry below 600 s is answered 423 with Min-Expires; above 3600 s it is reduced', async () => {
  const brief = await register({ user: 'bob', expires: 'Expires: 60' });
  assert.equal(brief.status, '423');
  assert.match(brief.final, /^Min-Expires: 600$/m);
  const long = await register({ user: 'bob', expires: 'Expires: 86400' });
  assert.equal(long.status, '200');
  assert.deepEqual(long.contacts, [`<sip:bob@127.0.0.1:${long.port}>;expires=3600`]);
});

test('two contacts in one REGISTER, then one un-registered, then "*" removes the rest', async () => {
  const two = await register({ user: 'carol', contact: 'Contact: <sip:carol@127.0.0.1:7001>, <sip:carol@127.0.0.1:7002>;expires=900',
    expires: 'Expires: 600' });
  assert.equal(two.status, '200', two.messages.slice(-2000));
  assert.deepEqual(two.contacts.sort(), ['<sip:carol@127.0.0.1:7001>;expires=600', '<sip:carol@127.0.0.1:7002>;expires=900']);
  const one = await register({ user: 'carol', contact: 'Contact: <sip:carol@127.0.0.1:7001>;expires=0' });
  assert.equal(one.status, '200');
  assert.equal(one.contacts.length, 1);
  assert.match(one.contacts[0], /^<sip:carol@127\.0\.0\.1:7002>;expires=(89\d|900)$/);
  const all = await register({ user: 'carol', contact: 'Contact: *', expires: 'Expires: 0' });
  assert.equal(all.status, '200');
  assert.deepEqual(all.contacts, []);
});

test('at most 10 contacts per address-of-record (403, 32007)', async () => {
  const many = Array.from({ length: 10 }, (_, i) => `<sip:dave@127.0.0.1:${7100 + i}>`).join(', ');
  const ten = await register({ user: 'dave', contact: `Contact: ${many}` });
  assert.equal(ten.status, '200');
  assert.equal(ten.contacts.length, 10);
  const eleventh = await register({ user: 'dave', contact: 'Contact: <sip:dave@127.0.0.1:7200>' });
  assert.equal(eleventh.status, '403');
  assert.match(eleventh.final, /X-Twilio-Error: 32007/);
});

test('baresip registers over UDP and over TLS', { skip: skipWithoutBaresip }, async () => {
  const udp = await startBaresip({ user: 'alice', timeoutMs: 20000,
    registrar: { uri: `sip:127.0.0.1:${sb.sipPort};transport=udp`, user: 'alice', password: PASSWORD, domain: DOMAIN,
      regint: 600 } });
  const tls = await startBaresip({ user: 'bob', timeoutMs: 20000, tls: certs,
    registrar: { uri: `sip:127.0.0.1:${tlsPort(sb)};transport=tls`, user: 'bob', password: PASSWORD, domain: DOMAIN,
      regint: 600 } });
  const registered = (phone, transport) => sipTrace(phone.output).some((m) => m.transport === transport
    && /^SIP\/2\.0 200 /.test(m.text) && /^CSeq: \d+ REGISTER/m.test(m.text) && /^Contact: .*;expires=600/m.test(m.text));
  try {
    await udp.waitFor(/SIP\/2\.0 200 OK[\s\S]*CSeq: \d+ REGISTER/, 10000);
    await tls.waitFor(/SIP\/2\.0 200 OK[\s\S]*CSeq: \d+ REGISTER/, 10000);
    assert.ok(registered(udp, 'UDP'), udp.output.slice(-3000));
    assert.ok(registered(tls, 'TLS'), tls.output.slice(-3000));
  } finally {
    await udp.stop();
    await tls.stop();
  }
});

test('a restart keeps the registrations', async () => {
  const before = await register({ user: 'alice', contact: 'Contact: <sip:alice@192.0.2.55:5080>', expires: 'Expires: 3600' });
  assert.equal(before.status, '200');
  const dataDir = sb.dataDir;
  assert.equal((await sb.stop()).code, 0);
  sb = await startServer(dataDir);
  client = sb.client();  // the REST port changed
  assert.match(sb.stderr, /sip: \d+ registration\(s\) restored/);
  const metrics = await (await fetch(`${sb.baseUrl}/metrics`)).text();
  const registrations = Number(/^switchboard_sip_registrations (\d+)$/m.exec(metrics)[1]);
  assert.ok(registrations >= 1, metrics);
  // A query (a REGISTER of another contact) lists the binding made before the restart.
  const after = await register({ user: 'alice', contact: 'Contact: <sip:alice@192.0.2.56:5080>' });
  assert.equal(after.status, '200', after.messages.slice(-2000));
  assert.ok(after.contacts.some((c) => c.startsWith('<sip:alice@192.0.2.55:5080>;expires=')), after.contacts.join('\n'));
});

test('a flood of bad REGISTERs bans its source; another source keeps registering', async () => {
  for (let i = 0; i < 5; i++) {
    const r = await register({ user: 'bob', password: 'Bad-Password-9', localIp: '127.0.0.9' });
    assert.equal(r.status, '403');
  }
  const banned = await register({ user: 'bob', localIp: '127.0.0.9' });
  assert.equal(banned.status, '403', 'the right password no longer helps');
  assert.match(banned.final, /X-Twilio-Error: 32216/);
  assert.doesNotMatch(banned.messages, /401 Unauthorized/, 'refused before any challenge');
  const good = await register({ user: 'bob', localIp: '127.0.0.10' });
  assert.equal(good.status, '200');
  assert.match(sb.stderr, /127\.0\.0\.9 banned/);
});

test('a REST call to a registered user rings its contact; an unregistered user fails (32009)',
  { skip: skipWithoutBaresip }, async () => {
    const phone = await startBaresip({ user: 'carol', timeoutMs: 30000,
      registrar: { uri: `sip:127.0.0.1:${sb.sipPort};transport=udp`, user: 'carol', password: PASSWORD, domain: DOMAIN,
        regint: 600 } });
    try {
      await phone.waitFor(/SIP\/2\.0 200 OK[\s\S]*CSeq: \d+ REGISTER/, 10000);
      const call = await client.calls.create({ to: `sip:carol@${DOMAIN}`, from: 'Reception',
        twiml: '<Response><Say>Hello carol</Say><Hangup/></Response>' });
      const deadline = Date.now() + 20000;
      let final;
      for (;;) {
        final = await client.calls(call.sid).fetch();
        if (['completed', 'failed', 'busy', 'no-answer'].includes(final.status) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(final.status, 'completed', phone.output.slice(-3000));
      const invite = sipTrace(phone.output).find((m) => /^INVITE /.test(m.text));
      assert.ok(invite, 'the phone got the INVITE');
      assert.match(invite.text, new RegExp(`^To: <sip:carol@${DOMAIN.replace(/\./g, '\\.')}>`, 'm'));

      // nobody: never registered (dave holds the ten contacts of the limit test)
      const unregistered = await client.calls.create({ to: `sip:nobody@${DOMAIN}`, from: 'Reception',
        twiml: '<Response><Hangup/></Response>' });
      let failed;
      for (let i = 0; i < 50; i++) {
        failed = await client.calls(unregistered.sid).fetch();
        if (failed.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(failed.status, 'failed');
      const alerts = await client.api.v2010.account.notifications.list({ limit: 100 });
      assert.ok(alerts.some((n) => n.errorCode === '32009' && n.callSid === unregistered.sid), 'notification 32009');
    } finally {
      await phone.stop();
    }
  });

test('after a restart, a call reaches a phone through its restored binding (no re-REGISTER)',
  { skip: skipWithoutBaresip }, async () => {
    const phone = await startBaresip({ user: 'bob', timeoutMs: 40000,
      registrar: { uri: `sip:127.0.0.1:${sb.sipPort};transport=udp`, user: 'bob', password: PASSWORD, domain: DOMAIN,
        regint: 600 } });
    try {
      await phone.waitFor(/SIP\/2\.0 200 OK[\s\S]*CSeq: \d+ REGISTER/, 10000);
      const registers = () => sipTrace(phone.output).filter((m) => /^REGISTER /.test(m.text)).length;
      const before = registers();
      const dataDir = sb.dataDir;
      const sipPort = sb.sipPort;
      assert.equal((await sb.stop()).code, 0);
      sb = await startServer(dataDir, `127.0.0.1:${sipPort}`);  // the port the phone registered through
      client = sb.client();
      const call = await client.calls.create({ to: `sip:bob@${DOMAIN}`, from: 'Reception',
        twiml: '<Response><Say>Hello again</Say><Hangup/></Response>' });
      let final;
      for (let i = 0; i < 100; i++) {
        final = await client.calls(call.sid).fetch();
        if (['completed', 'failed', 'busy', 'no-answer'].includes(final.status)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(final.status, 'completed', phone.output.slice(-3000));
      assert.ok(sipTrace(phone.output).some((m) => /^INVITE /.test(m.text)), 'the phone got the INVITE');
      assert.equal(registers(), before, 'the phone did not register again');
    } finally {
      await phone.stop();
    }
  });
