'use strict';
// The IncomingPhoneNumbers resource through the official twilio client: numbers an operator owns on
// its SIP trunks, registered, listed with filters, fetched, updated, moved and released.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startSwitchboard } = require('./lib/switchboard');

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { await sb.stop(); });

const rejectsWith = (promise, status, code, pattern) => assert.rejects(promise, (e) => {
  assert.equal(e.status, status, e.message);
  assert.equal(e.code, code, e.message);
  if (pattern) assert.match(e.message, pattern);
  return true;
});

test('registers, lists, fetches, updates and releases a number', async () => {
  const client = sb.client();
  const number = await client.incomingPhoneNumbers.create({
    phoneNumber: '+14155551212',
    voiceUrl: 'https://example.com/voice',
    voiceMethod: 'get',
  });
  assert.match(number.sid, /^PN[0-9a-f]{32}$/);
  assert.equal(number.accountSid, sb.accountSid);
  assert.equal(number.phoneNumber, '+14155551212');
  assert.equal(number.friendlyName, '(415) 555-1212', 'US numbers are formatted as Twilio does');
  assert.equal(number.voiceUrl, 'https://example.com/voice');
  assert.equal(number.voiceMethod, 'GET');
  assert.equal(number.voiceFallbackMethod, 'POST');
  assert.equal(number.voiceFallbackUrl, null);
  assert.equal(number.voiceApplicationSid, '');
  assert.equal(number.voiceCallerIdLookup, false);
  assert.deepEqual(number.capabilities, { fax: false, mms: false, sms: false, voice: true });
  assert.equal(number.beta, false);
  assert.equal(number.origin, 'hosted');
  assert.equal(number.status, 'in-use');
  assert.equal(number.emergencyStatus, 'Inactive');
  assert.equal(number.emergencyAddressStatus, 'unregistered');
  assert.equal(number.addressRequirements, 'none');
  assert.equal(number.voiceReceiveMode, 'voice');
  assert.equal(number.apiVersion, '2010-04-01');
  assert.equal(number.trunkSid, null);
  assert.equal(number.uri, `/2010-04-01/Accounts/${sb.accountSid}/IncomingPhoneNumbers/${number.sid}.json`);
  // twilio-node drops subresource_uris: read the raw JSON for the complete field list.
  const raw = await (await fetch(`${sb.baseUrl}${number.uri}`, {
    headers: { Authorization: 'Basic ' + Buffer.from(`${sb.accountSid}:${sb.authToken}`).toString('base64') },
  })).json();
  assert.deepEqual(Object.keys(raw).sort(), [
    'account_sid', 'address_requirements', 'address_sid', 'api_version', 'beta', 'bundle_sid', 'capabilities',
    'date_created', 'date_updated', 'emergency_address_sid', 'emergency_address_status', 'emergency_status',
    'friendly_name', 'identity_sid', 'origin', 'phone_number', 'sid', 'sms_application_sid', 'sms_fallback_method',
    'sms_fallback_url', 'sms_method', 'sms_url', 'status', 'status_callback', 'status_callback_method',
    'subresource_uris', 'trunk_sid', 'uri', 'voice_application_sid', 'voice_caller_id_lookup',
    'voice_fallback_method', 'voice_fallback_url', 'voice_method', 'voice_receive_mode', 'voice_url']);
  assert.equal(raw.subresource_uris.assigned_add_ons,
    `/2010-04-01/Accounts/${sb.accountSid}/IncomingPhoneNumbers/${number.sid}/AssignedAddOns.json`);

  const london = await client.incomingPhoneNumbers.create({ phoneNumber: '+442071838750', friendlyName: 'London' });
  assert.equal(london.friendlyName, 'London');
  const paris = await client.incomingPhoneNumbers.create({ phoneNumber: '+33142685300' });
  assert.equal(paris.friendlyName, '+33142685300', 'other numbers keep their E.164 form');

  const numbers = (list) => list.map((n) => n.phoneNumber);
  assert.deepEqual(numbers(await client.incomingPhoneNumbers.list()), ['+14155551212', '+442071838750', '+33142685300']);
  assert.deepEqual(numbers(await client.incomingPhoneNumbers.list({ phoneNumber: '+14155551212' })), ['+14155551212']);
  assert.deepEqual(numbers(await client.incomingPhoneNumbers.list({ phoneNumber: '555' })), ['+14155551212']);
  assert.deepEqual(numbers(await client.incomingPhoneNumbers.list({ phoneNumber: '+44' })), ['+442071838750']);
  assert.deepEqual(numbers(await client.incomingPhoneNumbers.list({ phoneNumber: '+3314268****' })), ['+33142685300']);
  assert.deepEqual(numbers(await client.incomingPhoneNumbers.list({ friendlyName: 'London' })), ['+442071838750']);
  assert.equal((await client.incomingPhoneNumbers.list({ beta: false })).length, 3);
  assert.equal((await client.incomingPhoneNumbers.list({ origin: 'hosted' })).length, 3);
  assert.deepEqual(await client.incomingPhoneNumbers.list({ origin: 'twilio' }), []);
  const page = await client.incomingPhoneNumbers.page({ pageSize: 2 });
  assert.equal(page.instances.length, 2);
  assert.equal((await page.nextPage()).instances[0].phoneNumber, '+33142685300');
  assert.deepEqual(numbers(await client.incomingPhoneNumbers.local.list({ phoneNumber: '+1' })), ['+14155551212']);

  const app = await client.applications.create({ friendlyName: 'ivr', voiceUrl: 'https://example.com/app' });
  const updated = await client.incomingPhoneNumbers(number.sid).update({
    voiceApplicationSid: app.sid,
    voiceFallbackUrl: 'https://example.com/fallback',
    statusCallback: 'https://example.com/status',
    voiceCallerIdLookup: true,
    smsUrl: 'https://example.com/sms',
    trunkSid: 'TK' + 'a'.repeat(32),
    voiceUrl: '',
  });
  assert.equal(updated.voiceApplicationSid, app.sid);
  assert.equal(updated.voiceFallbackUrl, 'https://example.com/fallback');
  assert.equal(updated.statusCallback, 'https://example.com/status');
  assert.equal(updated.voiceCallerIdLookup, true);
  assert.equal(updated.smsUrl, 'https://example.com/sms');
  assert.equal(updated.trunkSid, 'TK' + 'a'.repeat(32));
  assert.equal(updated.voiceUrl, null, 'an empty value clears a URL');
  assert.equal(updated.voiceMethod, 'GET', 'unchanged fields stay');
  assert.equal((await client.incomingPhoneNumbers(number.sid).fetch()).voiceApplicationSid, app.sid);

  assert.equal(await client.incomingPhoneNumbers(paris.sid).remove(), true);
  await rejectsWith(client.incomingPhoneNumbers(paris.sid).fetch(), 404, 20404);
  const again = await client.incomingPhoneNumbers.create({ phoneNumber: '+33142685300' });
  assert.notEqual(again.sid, paris.sid, 'a released number can be registered again');
});

test('invalid and unavailable numbers are refused with Twilio codes', async () => {
  const client = sb.client();
  for (const phoneNumber of ['4155551213', '+1 415 555 1213', '+0123', 'sip:alice@example.com', '+1234567890123456']) {
    await rejectsWith(client.incomingPhoneNumbers.create({ phoneNumber }), 400, 21421, /PhoneNumber/);
  }
  await rejectsWith(client.incomingPhoneNumbers.create({ areaCode: '415' }), 400, 21457, /AreaCode/);
  await rejectsWith(client.incomingPhoneNumbers.create({}), 400, 20001, /PhoneNumber/);
  await rejectsWith(client.incomingPhoneNumbers.create({ phoneNumber: '+14155551299', voiceUrl: 'not a url' }),
    400, 21205, /VoiceUrl/);
  await rejectsWith(client.incomingPhoneNumbers.create({ phoneNumber: '+14155551299', trunkSid: 'trunk-1' }),
    400, 20001, /TrunkSid/);
  await rejectsWith(client.incomingPhoneNumbers.create({ phoneNumber: '+14155551299', voiceApplicationSid: 'AP' + '0'.repeat(32) }),
    400, 21420, /VoiceApplicationSid/);
  assert.deepEqual(await client.incomingPhoneNumbers.list({ phoneNumber: '+14155551299' }), [], 'nothing was created');

  await client.incomingPhoneNumbers.create({ phoneNumber: '+14155551300' });
  await rejectsWith(client.incomingPhoneNumbers.create({ phoneNumber: '+14155551300' }), 400, 21422);
  const sub = await client.api.v2010.accounts.create({ friendlyName: 'pn-duplicate' });
  const asSub = sb.clientFor(sub.sid, sub.authToken);
  await rejectsWith(asSub.incomingPhoneNumbers.create({ phoneNumber: '+14155551300' }), 400, 21422,
    /not available/);
});

test('numbers belong to their account and move between a parent and its subaccounts', async () => {
  const client = sb.client();
  const sub = await client.api.v2010.accounts.create({ friendlyName: 'pn-tenant' });
  const asSub = sb.clientFor(sub.sid, sub.authToken);
  const mine = await client.incomingPhoneNumbers.create({ phoneNumber: '+16505550100' });
  await rejectsWith(asSub.incomingPhoneNumbers(mine.sid).fetch(), 404, 20404);
  await rejectsWith(asSub.incomingPhoneNumbers(mine.sid).update({ friendlyName: 'stolen' }), 404, 20404);
  await rejectsWith(asSub.incomingPhoneNumbers(mine.sid).remove(), 404, 20404);
  assert.deepEqual(await asSub.incomingPhoneNumbers.list(), []);

  // An application of another account is not accessible.
  const theirApp = await asSub.applications.create({ friendlyName: 'sub-app' });
  await rejectsWith(client.incomingPhoneNumbers(mine.sid).update({ voiceApplicationSid: theirApp.sid }), 400, 21420);

  // The parent moves the number into the subaccount, where the subaccount's application serves it.
  const moved = await client.incomingPhoneNumbers(mine.sid).update({ accountSid: sub.sid, voiceApplicationSid: theirApp.sid });
  assert.equal(moved.accountSid, sub.sid);
  assert.equal(moved.uri, `/2010-04-01/Accounts/${sub.sid}/IncomingPhoneNumbers/${mine.sid}.json`);
  assert.equal((await asSub.incomingPhoneNumbers(mine.sid).fetch()).voiceApplicationSid, theirApp.sid);
  await rejectsWith(client.incomingPhoneNumbers(mine.sid).fetch(), 404, 20404);

  // The subaccount cannot hand it to its parent; the parent takes it back through the sub's path.
  await rejectsWith(asSub.incomingPhoneNumbers(mine.sid).update({ accountSid: sb.accountSid }), 400, 20001, /AccountSid/);
  const back = await sb.client({ accountSid: sub.sid }).incomingPhoneNumbers(mine.sid)
    .update({ accountSid: sb.accountSid, voiceApplicationSid: '' });
  assert.equal(back.accountSid, sb.accountSid);
  assert.equal(back.voiceApplicationSid, '');
});
