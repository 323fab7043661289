'use strict';
// Calls into SIP domains: resources created with twilio-node, then sipp (a PBX) calls the domain
// with digest (right and wrong password), from allowed and refused addresses, to the plain and
// the regional domain names; switchboard runs the domain's TwiML on the inbound call.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');

const scenario = (name) => path.join(__dirname, 'scenarios', name);
const PASSWORD = 'Correct-Horse-42';

let sb;
let hooks;
let client;
let domains;
let bridgeTo;  // the SIP URI `sip:bridge@...` calls dial with answerOnBridge
test.before(async () => {
  sb = await startSwitchboard({ config: '[sip]\nauth_max_failures = 3\nauth_ban_seconds = 60\n' });
  hooks = await startWebhookServer((req) => {
    const r = new twilio.twiml.VoiceResponse();
    const to = req.params.To || '';
    if (req.path === '/voice' && to.startsWith('sip:busy@')) {
      r.reject({ reason: 'busy' });
    } else if (req.path === '/voice' && to.startsWith('sip:nobody@')) {
      r.reject();
    } else if (req.path === '/voice' && to.startsWith('sip:bridge@')) {
      r.dial({ answerOnBridge: true }).sip(bridgeTo);
    } else if (req.path === '/voice') {
      r.say('Welcome to the office.');
      r.hangup();
    }
    return r;
  });
  client = sb.client();
  const list = await client.sip.credentialLists.create({ friendlyName: 'phones' });
  await client.sip.credentialLists(list.sid).credentials.create({ username: 'alice', password: PASSWORD });
  const make = async (name, { credentials = false, acl } = {}) => {
    const d = await client.sip.domains.create({ domainName: `${name}.sip.switchboard.local`, voiceUrl: `${hooks.url}/voice`,
      voiceStatusCallbackUrl: `${hooks.url}/status` });
    if (credentials) await client.sip.domains(d.sid).auth.calls.credentialListMappings.create({ credentialListSid: list.sid });
    if (acl) {
      const a = await client.sip.ipAccessControlLists.create({ friendlyName: `${name}-acl` });
      await client.sip.ipAccessControlLists(a.sid).ipAddresses.create({ friendlyName: 'net', ipAddress: acl.ip,
        cidrPrefixLength: acl.prefix });
      await client.sip.domains(d.sid).auth.calls.ipAccessControlListMappings.create({ ipAccessControlListSid: a.sid });
    }
    return d;
  };
  domains = {
    acme: await make('acme', { credentials: true }),
    office: await make('office', { acl: { ip: '127.0.0.0', prefix: 8 } }),
    closed: await make('closed', { acl: { ip: '10.0.0.0', prefix: 8 } }),
  };
});
test.after(async () => {
  await hooks.close();
  assert.equal((await sb.stop()).code, 0);
});

// sipp as a PBX at `localIp` calling `user@domain`; resolves sipp's result (code, SIP trace).
async function pbxCall({ user = '100', domain, password = PASSWORD, localIp = '127.0.0.1', refused = false }) {
  const uac = await startSipp({ scenario: scenario(refused ? 'uac_domain_refused.xml' : 'uac_domain_call.xml'),
    remote: `127.0.0.1:${sb.sipPort}`, localIp, timeoutMs: 15000, traceMessages: true,
    extraArgs: ['-key', 'domain', domain, '-s', user, '-au', 'alice', '-ap', password] });
  return uac.done;
}
const finalStatus = (messages) => {
  const m = [...messages.matchAll(/^SIP\/2\.0 ([3-6]\d\d) .*$/gm)].map((x) => x[1]);
  return m[m.length - 1];
};

test('a PBX authenticated by digest reaches the domain\'s TwiML with Twilio\'s SIP parameters', async () => {
  const result = await pbxCall({ domain: 'acme.sip.switchboard.local', localIp: '127.0.0.2' });
  assert.equal(result.code, 0, `sipp: ${result.errors}\n${result.messages.slice(-3000)}`);
  assert.match(result.messages, /SIP\/2\.0 407 Proxy Authentication Required[\s\S]*Proxy-Authenticate: Digest realm="switchboard"/);
  assert.match(result.messages, /SIP\/2\.0 180 Ringing/);

  const [voice] = await hooks.waitFor(1, { filter: (r) => r.path === '/voice' && r.params.SipSourceIp === '127.0.0.2' });
  const p = voice.params;
  assert.equal(p.Direction, 'inbound');
  assert.equal(p.CallStatus, 'ringing');
  assert.equal(p.From, 'sip:alice@acme.sip.switchboard.local');
  assert.equal(p.To, 'sip:100@acme.sip.switchboard.local');
  assert.equal(p.Called, p.To);
  assert.equal(p.Caller, p.From);
  assert.equal(p.SipDomain, 'acme.sip.switchboard.local');
  assert.equal(p.SipDomainSid, domains.acme.sid);
  assert.equal(p['SipHeader_X-Customer-Id'], '42');
  assert.equal(p['SipHeader_User-to-User'], '56a390f3;encoding=hex');
  assert.equal(p['SipHeader_P-Other'], undefined, 'only X- and User-to-User headers are reported');
  assert.ok(p.SipCallId);
  assert.equal(p.AccountSid, sb.accountSid);
  assert.ok(twilio.validateRequest(sb.authToken, voice.headers['x-twilio-signature'], `${hooks.url}/voice`, p));

  const call = await client.calls(p.CallSid).fetch();
  assert.equal(call.direction, 'inbound');
  assert.equal(call.status, 'completed');
  const [status] = await hooks.waitFor(1, { filter: (r) => r.path === '/status' && r.params.CallSid === p.CallSid });
  assert.equal(status.params.CallStatus, 'completed');
});

test('the regional domain name reaches the same domain', async () => {
  const result = await pbxCall({ domain: 'acme.sip.ashburn.switchboard.local', localIp: '127.0.0.3' });
  assert.equal(result.code, 0, result.errors);
  const [voice] = await hooks.waitFor(1, { filter: (r) => r.path === '/voice' && r.params.SipSourceIp === '127.0.0.3' });
  assert.equal(voice.params.SipDomainSid, domains.acme.sid);
});

test('a wrong password is refused with 403 (32202); an unknown user gets exactly the same answer', async () => {
  const wrong = await pbxCall({ domain: 'acme.sip.switchboard.local', password: 'Wrong-Password-1', localIp: '127.0.0.4',
    refused: true });
  assert.equal(finalStatus(wrong.messages), '403');
  assert.match(wrong.messages, /X-Twilio-Error: 32202/);
  const unknown = await pbxCall({ domain: 'acme.sip.switchboard.local', localIp: '127.0.0.5', refused: true,
    password: 'whatever' });
  assert.equal(finalStatus(unknown.messages), '403');
  const reason = (m) => /^SIP\/2\.0 403 .*$/m.exec(m)[0] + /X-Twilio-Error: .*/.exec(m)[0];
  assert.equal(reason(wrong.messages), reason(unknown.messages));
});

test('IP access control: an address in the list needs no password; one outside it gets 403 (32201)', async () => {
  const busy = await pbxCall({ user: 'busy', domain: 'office.sip.switchboard.local', localIp: '127.0.0.6', refused: true });
  assert.equal(finalStatus(busy.messages), '486', '<Reject reason="busy"/> is 486');
  assert.doesNotMatch(busy.messages, /^SIP\/2\.0 407 /m, 'no digest challenge');
  const nobody = await pbxCall({ user: 'nobody', domain: 'office.sip.switchboard.local', localIp: '127.0.0.6',
    refused: true });
  assert.equal(finalStatus(nobody.messages), '404', '<Reject/> is 404');
  const closed = await pbxCall({ domain: 'closed.sip.switchboard.local', localIp: '127.0.0.7', refused: true });
  assert.equal(finalStatus(closed.messages), '403');
  assert.match(closed.messages, /X-Twilio-Error: 32201/);
  const calls = await client.calls.list({ limit: 100 });
  const busyCall = calls.find((c) => c.to === 'sip:busy@office.sip.switchboard.local');
  assert.equal(busyCall.status, 'busy');
});

test('an unknown domain is answered 404 (32002)', async () => {
  const result = await pbxCall({ domain: 'nope.sip.switchboard.local', localIp: '127.0.0.8', refused: true });
  assert.equal(finalStatus(result.messages), '404');
  assert.match(result.messages, /X-Twilio-Error: 32002/);
});

test('repeated failures ban the source; another source keeps working', async () => {
  for (let i = 0; i < 3; i++) {
    const r = await pbxCall({ domain: 'acme.sip.switchboard.local', password: 'Bad-Password-9', localIp: '127.0.0.9',
      refused: true });
    assert.equal(finalStatus(r.messages), '403');
  }
  const banned = await pbxCall({ domain: 'acme.sip.switchboard.local', localIp: '127.0.0.9', refused: true });
  assert.equal(finalStatus(banned.messages), '403', 'the right password no longer helps');
  assert.match(banned.messages, /X-Twilio-Error: 32216/);
  const good = await pbxCall({ domain: 'acme.sip.switchboard.local', localIp: '127.0.0.10' });
  assert.equal(good.code, 0, good.errors);
  assert.match(sb.stderr + sb.stdout, /127\.0\.0\.9 banned/);
});

// The time of each message in a sipp -trace_msg log whose first line matches `re`.
function messageTimes(log, re) {
  const times = [];
  for (const block of log.split(/^-{5,} /m)) {
    const stamp = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)/.exec(block);
    const body = block.split('\n').slice(2).join('\n').trimStart();
    if (stamp && re.test(body)) times.push(Date.parse(stamp[1].replace(' ', 'T') + 'Z'));
  }
  return times;
}

test('<Dial answerOnBridge>: the inbound caller gets 183 with SDP, and 200 only once the callee answered', async () => {
  const callee = await startSipp({ scenario: scenario('uas_answer_bye.xml'), calls: 1, timeoutMs: 20000,
    traceMessages: true, extraArgs: ['-d', '1000'] });
  bridgeTo = `sip:callee@127.0.0.1:${callee.port}`;
  try {
    const result = await pbxCall({ user: 'bridge', domain: 'office.sip.switchboard.local', localIp: '127.0.0.11' });
    assert.equal(result.code, 0, `sipp: ${result.errors}`);
    const callerLog = result.messages;
    assert.match(callerLog, /SIP\/2\.0 183 Session Progress[^]*?Content-Type: application\/sdp/);
    const [early] = messageTimes(callerLog, /^SIP\/2\.0 183/);
    const [answered] = messageTimes(callerLog, /^SIP\/2\.0 200 OK[^]*CSeq: \d+ INVITE/);
    const calleeLog = (await callee.done).messages;
    const [calleeAnswered] = messageTimes(calleeLog, /^SIP\/2\.0 200 OK[^]*CSeq: 1 INVITE/);
    assert.ok(early < calleeAnswered, 'early media before the callee answered');
    assert.ok(answered >= calleeAnswered, `the caller was answered after the callee (${answered - calleeAnswered} ms)`);
  } finally {
    await callee.stop();
  }
});
