'use strict';
// Calls into SIP domains over TLS (the --sip-tls listener): a domain takes them like any other,
// and a `secure` domain requires TLS (403, 32209) and SRTP (488 for a plain RTP offer, 32208).
// sip_peer is the caller (Debian's sipp has no TLS); ;maddr= sends the INVITE to switchboard
// while the Request-URI keeps the domain name.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { makeCertificates } = require('./lib/certs');
const { runPeer, skipWithoutSipPeer } = require('./lib/sip_peer');
const { startWebhookServer } = require('./lib/webhook_server');

let certs;
let sb;
let hooks;
test.before(async () => {
  certs = makeCertificates();
  sb = await startSwitchboard({ args: ['--sip-tls', '127.0.0.1:0', '--tls-cert', certs.cert, '--tls-key', certs.key,
    '--tls-ca', certs.ca] });
  hooks = await startWebhookServer(() => {
    const r = new twilio.twiml.VoiceResponse();
    r.say('Over TLS.');
    r.hangup();
    return r;
  });
  const client = sb.client();
  for (const [name, secure] of [['office', false], ['vault', true]]) {
    const d = await client.sip.domains.create({ domainName: `${name}.sip.switchboard.local`, voiceUrl: `${hooks.url}/voice`,
      secure });
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: `${name}-acl` });
    await client.sip.ipAccessControlLists(acl.sid).ipAddresses.create({ friendlyName: 'lo', ipAddress: '127.0.0.0',
      cidrPrefixLength: 8 });
    await client.sip.domains(d.sid).auth.calls.ipAccessControlListMappings.create({ ipAccessControlListSid: acl.sid });
  }
});
test.after(async () => {
  await hooks.close();
  assert.equal((await sb.stop()).code, 0);
  fs.rmSync(certs.dir, { recursive: true, force: true });
});

const tlsPort = () => Number(/SIP \(TLS\):\s+127\.0\.0\.1:(\d+)/.exec(sb.stdout)[1]);

async function call(domain, transport) {
  const port = transport === 'tls' ? tlsPort() : sb.sipPort;
  // The certificate names 127.0.0.1, not the domain: the caller does not verify it.
  const peer = runPeer(['call', `sip:100@${domain}:${port};maddr=127.0.0.1;transport=${transport}`,
    '--transport', transport, '--timeout', '10s', '--tls-cert', certs.cert, '--tls-key', certs.key,
    '--tls-ca', certs.ca, '--tls-verify', 'no'], 15000);
  return peer.done;
}

test('a domain takes calls over TLS', { skip: skipWithoutSipPeer }, async () => {
  const { output } = await call('office.sip.switchboard.local', 'tls');
  assert.match(output, /final 200/, output);
  const [voice] = await hooks.waitFor(1, { filter: (r) => r.params.SipDomain === 'office.sip.switchboard.local' });
  assert.equal(voice.params.Direction, 'inbound');
});

test('a secure domain refuses calls without TLS (32209) and plain RTP offers (488)', { skip: skipWithoutSipPeer }, async () => {
  const udp = await call('vault.sip.switchboard.local', 'udp');
  assert.match(udp.output, /final 403/, udp.output);
  const metrics = await (await fetch(`${sb.baseUrl}/metrics`)).text();
  assert.match(metrics, /^switchboard_sip_inbound_refused_total\{code="32209"\} 1$/m);
  const tls = await call('vault.sip.switchboard.local', 'tls');
  assert.match(tls.output, /final 488/, tls.output);
  const alerts = await sb.client().api.v2010.account.notifications.list({ limit: 20 });
  assert.ok(alerts.some((n) => n.errorCode === '32208'), 'notification 32208 for the plain offer');
});
