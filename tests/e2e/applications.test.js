'use strict';
// The Applications resource through the official twilio client.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startSwitchboard } = require('./lib/switchboard');

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { await sb.stop(); });

test('creates, lists, fetches, updates and deletes applications', async () => {
  const client = sb.client();
  const app = await client.applications.create({
    friendlyName: 'ivr',
    voiceUrl: 'https://example.com/voice',
    voiceMethod: 'get',
    statusCallback: 'http://127.0.0.1:9/status',
  });
  assert.match(app.sid, /^AP[0-9a-f]{32}$/);
  assert.equal(app.accountSid, sb.accountSid);
  assert.equal(app.voiceUrl, 'https://example.com/voice');
  assert.equal(app.voiceMethod, 'GET');
  assert.equal(app.voiceFallbackMethod, 'POST', 'methods default to POST');
  assert.equal(app.statusCallbackMethod, 'POST');
  assert.equal(app.voiceFallbackUrl, null);
  assert.equal(app.voiceCallerIdLookup, false);
  assert.equal(app.apiVersion, '2010-04-01');
  assert.equal(app.uri, `/2010-04-01/Accounts/${sb.accountSid}/Applications/${app.sid}.json`);

  const other = await client.applications.create({ friendlyName: 'other' });
  const named = await client.applications.list({ friendlyName: 'ivr' });
  assert.deepEqual(named.map((a) => a.sid), [app.sid]);
  assert.equal((await client.applications.list()).length, 2);

  const updated = await client.applications(app.sid).update({ voiceFallbackUrl: 'https://example.com/fallback', voiceUrl: '' });
  assert.equal(updated.voiceFallbackUrl, 'https://example.com/fallback');
  assert.equal(updated.voiceUrl, null, 'an empty value clears a URL');
  assert.equal(updated.friendlyName, 'ivr', 'unchanged fields stay');
  assert.equal((await client.applications(app.sid).fetch()).voiceFallbackUrl, 'https://example.com/fallback');

  assert.equal(await client.applications(other.sid).remove(), true);
  await assert.rejects(client.applications(other.sid).fetch(), (e) => e.status === 404 && e.code === 20404);
});

test('invalid URLs and methods are refused with Twilio codes', async () => {
  const client = sb.client();
  await assert.rejects(client.applications.create({ voiceUrl: 'not a url' }),
    (e) => e.status === 400 && e.code === 21205 && /VoiceUrl/.test(e.message));
  await assert.rejects(client.applications.create({ voiceUrl: 'ftp://example.com/x' }),
    (e) => e.status === 400 && e.code === 21205);
  await assert.rejects(client.applications.create({ voiceMethod: 'PUT' }),
    (e) => e.status === 400 && e.code === 20001 && /VoiceMethod/.test(e.message));
  await assert.rejects(client.applications.create({ friendlyName: 'x'.repeat(65) }),
    (e) => e.status === 400 && /FriendlyName/.test(e.message));
});

test('applications belong to their account', async () => {
  const client = sb.client();
  const sub = await client.api.v2010.accounts.create({ friendlyName: 'app-tenant' });
  const asSub = sb.clientFor(sub.sid, sub.authToken);
  const mine = await client.applications.create({ friendlyName: 'main-only' });
  await assert.rejects(asSub.applications(mine.sid).fetch(), (e) => e.status === 404);
  assert.deepEqual(await asSub.applications.list(), []);
  const theirs = await asSub.applications.create({ friendlyName: 'sub-app' });
  // The owner reaches the subaccount's applications through the subaccount's path.
  const viaOwner = await sb.client({ accountSid: sub.sid }).applications(theirs.sid).fetch();
  assert.equal(viaOwner.friendlyName, 'sub-app');
});
