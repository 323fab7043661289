'use strict';
// Twilio's SIP API resources (SIP/Domains and their mappings, SIP/CredentialLists,
// SIP/IpAccessControlLists) through the official twilio client.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startSwitchboard } = require('./lib/switchboard');

const BASE = 'sip.switchboard.local';
const PASSWORD = 'IWasAtSignal2018';

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { await sb.stop(); });

// Asserts that `promise` fails with HTTP `status` and Twilio `code`.
function rejectsWith(promise, status, code) {
  return assert.rejects(promise, (e) => {
    assert.equal(e.status, status, e.message);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

async function rawGet(uri) {
  const auth = Buffer.from(`${sb.accountSid}:${sb.authToken}`).toString('base64');
  const response = await fetch(`${sb.baseUrl}${uri}`, { headers: { Authorization: `Basic ${auth}` } });
  return { status: response.status, text: await response.text() };
}

test('domains: create, list, fetch, update and delete with Twilio fields', async () => {
  const client = sb.client();
  const domain = await client.sip.domains.create({
    domainName: `Scranton.${BASE}`,
    friendlyName: 'Scranton Office',
    voiceUrl: 'https://example.com/voice',
  });
  assert.match(domain.sid, /^SD[0-9a-f]{32}$/);
  assert.equal(domain.accountSid, sb.accountSid);
  assert.equal(domain.apiVersion, '2010-04-01');
  assert.equal(domain.domainName, `scranton.${BASE}`, 'names are stored in lower case');
  assert.equal(domain.friendlyName, 'Scranton Office');
  assert.equal(domain.voiceUrl, 'https://example.com/voice');
  assert.equal(domain.voiceMethod, 'POST');
  assert.equal(domain.voiceFallbackUrl, null);
  assert.equal(domain.voiceFallbackMethod, 'POST');
  assert.equal(domain.voiceStatusCallbackUrl, null);
  assert.equal(domain.voiceStatusCallbackMethod, 'POST');
  assert.equal(domain.sipRegistration, false);
  assert.equal(domain.secure, false);
  assert.equal(domain.emergencyCallingEnabled, false);
  assert.equal(domain.byocTrunkSid, null);
  assert.equal(domain.emergencyCallerSid, null);
  assert.equal(domain.authType, '');
  assert.equal(domain.uri, `/2010-04-01/Accounts/${sb.accountSid}/SIP/Domains/${domain.sid}.json`);
  assert.equal(domain.subresourceUris.credential_list_mappings,
    `/2010-04-01/Accounts/${sb.accountSid}/SIP/Domains/${domain.sid}/CredentialListMappings.json`);
  assert.equal(domain.subresourceUris.ip_access_control_list_mappings,
    `/2010-04-01/Accounts/${sb.accountSid}/SIP/Domains/${domain.sid}/IpAccessControlListMappings.json`);

  const updated = await client.sip.domains(domain.sid).update({
    sipRegistration: true, secure: true, voiceMethod: 'get', voiceUrl: '', byocTrunkSid: `BY${'a'.repeat(32)}`,
  });
  assert.equal(updated.sipRegistration, true);
  assert.equal(updated.secure, true);
  assert.equal(updated.voiceMethod, 'GET');
  assert.equal(updated.voiceUrl, null, 'an empty value clears a URL');
  assert.equal(updated.byocTrunkSid, `BY${'a'.repeat(32)}`);
  assert.equal(updated.friendlyName, 'Scranton Office', 'unchanged fields stay');
  assert.equal((await client.sip.domains(domain.sid).fetch()).sipRegistration, true);

  const other = await client.sip.domains.create({ domainName: `stamford.${BASE}` });
  const page = await client.sip.domains.page({ pageSize: 1 });
  assert.equal(page.instances.length, 1);
  assert.ok(page.nextPageUrl, 'a second page');
  assert.deepEqual((await client.sip.domains.list()).map((d) => d.sid), [domain.sid, other.sid]);

  assert.equal(await client.sip.domains(other.sid).remove(), true);
  await rejectsWith(client.sip.domains(other.sid).fetch(), 404, 20404);
});

test('domain names: syntax, suffix, global uniqueness and sub-domains', async () => {
  const client = sb.client();
  await client.sip.domains.create({ domainName: `nashua.${BASE}` });
  await rejectsWith(client.sip.domains.create({ domainName: `NASHUA.${BASE}` }), 400, 21232);
  await rejectsWith(client.sip.domains.create({ domainName: 'nashua.sip.twilio.com' }), 400, 21232);
  await rejectsWith(client.sip.domains.create({ domainName: `bad_name.${BASE}` }), 400, 21232);
  await rejectsWith(client.sip.domains.create({ domainName: `-dash.${BASE}` }), 400, 21232);
  await rejectsWith(client.sip.domains.create({ domainName: BASE }), 400, 21232);
  await rejectsWith(client.sip.domains.create({ domainName: `east.unknown.${BASE}` }), 400, 21232);
  await rejectsWith(client.sip.domains.create({ domainName: `ac${'0'.repeat(32)}.${BASE}` }), 400, 21232);
  await rejectsWith(client.sip.domains.create({ domainName: `x.${BASE}`, friendlyName: 'x'.repeat(65) }), 400, 21231);
  await rejectsWith(client.sip.domains.create({ domainName: `x.${BASE}`, voiceUrl: 'not a url' }), 400, 21205);

  const own = await client.sip.domains.create({ domainName: `${sb.accountSid.toLowerCase()}.${BASE}` });
  assert.equal(own.domainName, `${sb.accountSid.toLowerCase()}.${BASE}`, 'an account may use its own SID');

  const parent = (await client.sip.domains.list()).find((d) => d.domainName === `nashua.${BASE}`);
  const child = await client.sip.domains.create({ domainName: `east.nashua.${BASE}` });
  await rejectsWith(client.sip.domains(parent.sid).remove(), 400, 21233);
  await client.sip.domains(child.sid).remove();
  await client.sip.domains(parent.sid).remove();
});

test('credential lists and credentials: password rules, uniqueness, no password stored or returned', async () => {
  const client = sb.client();
  const list = await client.sip.credentialLists.create({ friendlyName: 'staff' });
  assert.match(list.sid, /^CL[0-9a-f]{32}$/);
  assert.equal(list.friendlyName, 'staff');
  assert.equal(list.subresourceUris.credentials,
    `/2010-04-01/Accounts/${sb.accountSid}/SIP/CredentialLists/${list.sid}/Credentials.json`);
  await rejectsWith(client.sip.credentialLists.create({ friendlyName: 'staff' }), 400, 21240);
  await rejectsWith(client.sip.credentialLists.create({ friendlyName: 'x'.repeat(65) }), 400, 21240);

  const credentials = client.sip.credentialLists(list.sid).credentials;
  for (const weak of ['Short1a', 'alllowercase1234', 'ALLUPPERCASE1234', 'NoDigitsAtAllHere']) {
    await rejectsWith(credentials.create({ username: 'alice', password: weak }), 400, 21240);
  }
  await rejectsWith(credentials.create({ username: 'a'.repeat(33), password: PASSWORD }), 400, 21240);
  await rejectsWith(credentials.create({ username: 'al ice', password: PASSWORD }), 400, 21240);

  const alice = await credentials.create({ username: 'alice', password: PASSWORD });
  assert.match(alice.sid, /^CR[0-9a-f]{32}$/);
  assert.equal(alice.username, 'alice');
  assert.equal(alice.credentialListSid, list.sid);
  assert.equal(alice.uri,
    `/2010-04-01/Accounts/${sb.accountSid}/SIP/CredentialLists/${list.sid}/Credentials/${alice.sid}.json`);
  await rejectsWith(credentials.create({ username: 'alice', password: 'AnotherPass1234' }), 400, 21243);

  const raw = await rawGet(alice.uri);
  assert.equal(raw.status, 200);
  assert.doesNotMatch(raw.text, /password|IWasAtSignal/i, 'the password is never returned');

  const changed = await client.sip.credentialLists(list.sid).credentials(alice.sid).update({ password: 'NewSecret9876x' });
  assert.equal(changed.username, 'alice');
  await rejectsWith(client.sip.credentialLists(list.sid).credentials(alice.sid).update({ password: 'weak' }), 400, 21240);
  await credentials.create({ username: 'bob', password: PASSWORD });
  assert.deepEqual((await credentials.list()).map((c) => c.username), ['alice', 'bob']);

  const database = fs.readdirSync(sb.dataDir).filter((f) => f.endsWith('.db') || f.endsWith('-wal'))
    .map((f) => fs.readFileSync(path.join(sb.dataDir, f)).toString('latin1')).join('');
  assert.ok(database.length > 0, 'found the database');
  assert.ok(!database.includes(PASSWORD) && !database.includes('NewSecret9876x'), 'no password on disk');

  const renamed = await client.sip.credentialLists(list.sid).update({ friendlyName: 'staff-2' });
  assert.equal(renamed.friendlyName, 'staff-2');
  assert.equal(await client.sip.credentialLists(list.sid).credentials(alice.sid).remove(), true);
  assert.equal(await client.sip.credentialLists(list.sid).remove(), true);
  await rejectsWith(client.sip.credentialLists(list.sid).fetch(), 404, 20404);
});

test('IP access control lists and addresses: IPv4 and CIDR validation', async () => {
  const client = sb.client();
  const acl = await client.sip.ipAccessControlLists.create({ friendlyName: 'office' });
  assert.match(acl.sid, /^AL[0-9a-f]{32}$/);
  assert.equal(acl.subresourceUris.ip_addresses,
    `/2010-04-01/Accounts/${sb.accountSid}/SIP/IpAccessControlLists/${acl.sid}/IpAddresses.json`);
  await rejectsWith(client.sip.ipAccessControlLists.create({ friendlyName: 'office' }), 400, 21235);

  const addresses = client.sip.ipAccessControlLists(acl.sid).ipAddresses;
  const host = await addresses.create({ friendlyName: 'pbx', ipAddress: '203.0.113.7' });
  assert.match(host.sid, /^IP[0-9a-f]{32}$/);
  assert.equal(host.ipAddress, '203.0.113.7');
  assert.equal(host.cidrPrefixLength, 32, 'the whole address by default');
  assert.equal(host.ipAccessControlListSid, acl.sid);
  const net = await addresses.create({ friendlyName: 'lan', ipAddress: '192.168.1.0', cidrPrefixLength: 24 });
  assert.equal(net.cidrPrefixLength, 24);

  for (const bad of ['10.0.0.*', '10.0.0', '256.1.1.1', '::1', 'pbx.example.com']) {
    await rejectsWith(addresses.create({ friendlyName: 'bad', ipAddress: bad }), 400, 21238);
  }
  await rejectsWith(addresses.create({ friendlyName: 'bad', ipAddress: '10.0.0.1', cidrPrefixLength: 33 }), 400, 21238);
  await rejectsWith(addresses.create({ friendlyName: 'again', ipAddress: '203.0.113.7' }), 400, 21235);

  const moved = await client.sip.ipAccessControlLists(acl.sid).ipAddresses(host.sid).update({ ipAddress: '203.0.113.8' });
  assert.equal(moved.ipAddress, '203.0.113.8');
  assert.equal(moved.friendlyName, 'pbx');
  assert.equal((await addresses.list()).length, 2);
  assert.equal(await client.sip.ipAccessControlLists(acl.sid).ipAddresses(net.sid).remove(), true);
  assert.equal(await client.sip.ipAccessControlLists(acl.sid).remove(), true);
});

test('mappings: Auth/Calls and the legacy paths share one set, registrations are separate', async () => {
  const client = sb.client();
  const domain = await client.sip.domains.create({ domainName: `mapped.${BASE}`, sipRegistration: true });
  const list = await client.sip.credentialLists.create({ friendlyName: 'phones' });
  const acl = await client.sip.ipAccessControlLists.create({ friendlyName: 'trunks' });
  const d = client.sip.domains(domain.sid);

  const callMapping = await d.auth.calls.credentialListMappings.create({ credentialListSid: list.sid });
  assert.equal(callMapping.sid, list.sid);
  assert.equal(callMapping.friendlyName, 'phones');
  assert.equal(callMapping.accountSid, sb.accountSid);
  const legacy = await d.credentialListMappings.list();
  assert.deepEqual(legacy.map((m) => m.sid), [list.sid], 'the legacy path shows the Auth/Calls mapping');
  assert.equal(legacy[0].domainSid, domain.sid);
  assert.equal(legacy[0].uri,
    `/2010-04-01/Accounts/${sb.accountSid}/SIP/Domains/${domain.sid}/CredentialListMappings/${list.sid}.json`);
  await rejectsWith(d.credentialListMappings.create({ credentialListSid: list.sid }), 400, 21231);

  const aclMapping = await d.ipAccessControlListMappings.create({ ipAccessControlListSid: acl.sid });
  assert.equal(aclMapping.sid, acl.sid);
  assert.equal(aclMapping.domainSid, domain.sid);
  await rejectsWith(d.auth.calls.ipAccessControlListMappings.create({ ipAccessControlListSid: acl.sid }), 400, 21231);
  assert.deepEqual((await d.auth.calls.ipAccessControlListMappings.list()).map((m) => m.sid), [acl.sid]);
  assert.equal((await d.auth.calls.ipAccessControlListMappings(acl.sid).fetch()).friendlyName, 'trunks');

  const registration = await d.auth.registrations.credentialListMappings.create({ credentialListSid: list.sid });
  assert.equal(registration.sid, list.sid);
  assert.equal((await d.auth.registrations.credentialListMappings.list()).length, 1);
  assert.equal((await d.fetch()).authType, 'CREDENTIAL_LIST,IP_ACL');

  await rejectsWith(d.auth.calls.credentialListMappings.create({ credentialListSid: `CL${'0'.repeat(32)}` }), 404, 20404);
  await rejectsWith(client.sip.credentialLists(list.sid).remove(), 400, 21241);
  await rejectsWith(client.sip.ipAccessControlLists(acl.sid).remove(), 400, 21236);

  assert.equal(await d.credentialListMappings(list.sid).remove(), true);
  assert.deepEqual(await d.auth.calls.credentialListMappings.list(), [], 'removed from both paths');
  await rejectsWith(d.auth.calls.credentialListMappings(list.sid).fetch(), 404, 20404);
  assert.equal((await d.fetch()).authType, 'IP_ACL');
  await rejectsWith(client.sip.credentialLists(list.sid).remove(), 400, 21241, 'still mapped for registrations');
  assert.equal(await d.auth.registrations.credentialListMappings(list.sid).remove(), true);
  assert.equal(await client.sip.credentialLists(list.sid).remove(), true);

  assert.equal(await d.remove(), true, 'a domain is deleted with its mappings');
  assert.equal(await client.sip.ipAccessControlLists(acl.sid).remove(), true, 'the ACL is no longer mapped');
});

test('tenancy: another account\'s SIP resources are unknown; domain names are global', async () => {
  const client = sb.client();
  const sub = await client.api.v2010.accounts.create({ friendlyName: 'sip-tenant' });
  const asSub = sb.clientFor(sub.sid, sub.authToken);
  const domain = await client.sip.domains.create({ domainName: `tenant.${BASE}` });
  const list = await client.sip.credentialLists.create({ friendlyName: 'main-list' });
  const acl = await client.sip.ipAccessControlLists.create({ friendlyName: 'main-acl' });

  await rejectsWith(asSub.sip.domains(domain.sid).fetch(), 404, 20404);
  await rejectsWith(asSub.sip.credentialLists(list.sid).fetch(), 404, 20404);
  await rejectsWith(asSub.sip.credentialLists(list.sid).credentials.list(), 404, 20404);
  await rejectsWith(asSub.sip.ipAccessControlLists(acl.sid).ipAddresses.list(), 404, 20404);
  assert.deepEqual(await asSub.sip.domains.list(), []);

  await rejectsWith(asSub.sip.domains.create({ domainName: `tenant.${BASE}` }), 400, 21232);
  await rejectsWith(asSub.sip.domains.create({ domainName: `${sb.accountSid}.${BASE}` }), 400, 21232);
  const theirs = await asSub.sip.domains.create({ domainName: `west.tenant.${BASE}` });
  assert.equal(theirs.accountSid, sub.sid, 'a subaccount may add sub-domains to its main account\'s domains');
  await rejectsWith(asSub.sip.domains(theirs.sid).credentialListMappings.create({ credentialListSid: list.sid }), 404, 20404);
  await rejectsWith(asSub.sip.domains(theirs.sid).ipAccessControlListMappings.create({ ipAccessControlListSid: acl.sid }),
    404, 20404);
  await rejectsWith(client.sip.domains(domain.sid).remove(), 400, 21233);
});

test('limits: 100 domains per account', async () => {
  const client = sb.client();
  const sub = await client.api.v2010.accounts.create({ friendlyName: 'sip-limits' });
  const asSub = sb.clientFor(sub.sid, sub.authToken);
  for (let batch = 0; batch < 10; ++batch) {
    await Promise.all(Array.from({ length: 10 }, (_, i) =>
      asSub.sip.domains.create({ domainName: `limit-${batch * 10 + i}.${BASE}` })));
  }
  await rejectsWith(asSub.sip.domains.create({ domainName: `limit-100.${BASE}` }), 400, 21230);
  const all = await asSub.sip.domains.list({ pageSize: 30 });
  assert.equal(all.length, 100, 'read back across pages');
});
