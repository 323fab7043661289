'use strict';
// The Accounts resource through the official twilio client: subaccounts, paging, updates,
// suspension and closing, and tenant isolation.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startSwitchboard } = require('./lib/switchboard');

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { await sb.stop(); });

async function rejects(promise, status, code) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.status, status, e.message);
    assert.equal(e.code, code, e.message);
    assert.equal(e.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
    return true;
  });
}

test('fetches the main account with Twilio fields', async () => {
  const account = await sb.client().api.v2010.accounts(sb.accountSid).fetch();
  assert.equal(account.sid, sb.accountSid);
  assert.equal(account.status, 'active');
  assert.equal(account.type, 'Full');
  assert.equal(account.authToken, sb.authToken);
  assert.equal(account.uri, `/2010-04-01/Accounts/${sb.accountSid}.json`);
  assert.equal(account.subresourceUris.calls, `/2010-04-01/Accounts/${sb.accountSid}/Calls.json`);
  assert.ok(account.dateCreated instanceof Date && !Number.isNaN(account.dateCreated.getTime()));
});

test('creates, lists with paging, fetches and updates subaccounts', async () => {
  const client = sb.client();
  const created = [];
  for (let i = 0; i < 5; i++) {
    created.push(await client.api.v2010.accounts.create({ friendlyName: `paging-${i}` }));
  }
  for (const a of created) {
    assert.match(a.sid, /^AC[0-9a-f]{32}$/);
    assert.equal(a.ownerAccountSid, sb.accountSid);
    assert.match(a.authToken, /^[0-9a-f]{32}$/);
  }

  // Pages of two, followed through next_page_uri by the client itself.
  const page0 = await client.api.v2010.accounts.page({ pageSize: 2 });
  assert.equal(page0.instances.length, 2);
  assert.ok(page0.nextPageUrl, 'a next page exists');
  const page1 = await page0.nextPage();
  assert.equal(page1.instances.length, 2);
  assert.notEqual(page1.instances[0].sid, page0.instances[1].sid);
  const all = await client.api.v2010.accounts.list({ pageSize: 2 });
  const sids = all.map((a) => a.sid);
  assert.equal(new Set(sids).size, sids.length, 'no account is listed twice');
  for (const a of created) assert.ok(sids.includes(a.sid));
  assert.ok(sids.includes(sb.accountSid), 'the list includes the account itself');

  const filtered = await client.api.v2010.accounts.list({ friendlyName: 'paging-3' });
  assert.deepEqual(filtered.map((a) => a.sid), [created[3].sid]);

  const fetched = await client.api.v2010.accounts(created[0].sid).fetch();
  assert.equal(fetched.friendlyName, 'paging-0');
  const renamed = await client.api.v2010.accounts(created[0].sid).update({ friendlyName: 'renamed' });
  assert.equal(renamed.friendlyName, 'renamed');
  assert.equal((await client.api.v2010.accounts(created[0].sid).fetch()).friendlyName, 'renamed');
});

test('the list envelope follows Twilio: start, end, page URIs', async () => {
  const headers = { Authorization: 'Basic ' + Buffer.from(`${sb.accountSid}:${sb.authToken}`).toString('base64') };
  const res = await fetch(`${sb.baseUrl}/2010-04-01/Accounts.json?PageSize=2&Page=0`, { headers });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.page, 0);
  assert.equal(body.page_size, 2);
  assert.equal(body.start, 0);
  assert.equal(body.end, 1);
  assert.equal(body.previous_page_uri, null);
  assert.equal(body.first_page_uri, '/2010-04-01/Accounts.json?PageSize=2&Page=0');
  assert.match(body.next_page_uri, /^\/2010-04-01\/Accounts\.json\?PageSize=2&Page=1&PageToken=PA\d+$/);
  const next = await (await fetch(`${sb.baseUrl}${body.next_page_uri}`, { headers })).json();
  assert.equal(next.start, 2);
  assert.equal(next.end, 3);
  assert.match(next.previous_page_uri, /Page=0/);
});

test('a wrong token gets 401 with code 20003, and so do missing credentials', async () => {
  await rejects(sb.clientFor(sb.accountSid, 'f'.repeat(32)).api.v2010.accounts(sb.accountSid).fetch(), 401, 20003);
  const res = await fetch(`${sb.baseUrl}/2010-04-01/Accounts/${sb.accountSid}.json`);
  assert.equal(res.status, 401);
  assert.equal((await res.json()).code, 20003);
  assert.match(res.headers.get('www-authenticate'), /^Basic /);
});

test('a subaccount sees only itself; it cannot read another subaccount or the main account', async () => {
  const main = sb.client();
  const a = await main.api.v2010.accounts.create({ friendlyName: 'tenant-a' });
  const b = await main.api.v2010.accounts.create({ friendlyName: 'tenant-b' });
  const asA = sb.clientFor(a.sid, a.authToken);

  await rejects(asA.api.v2010.accounts(b.sid).fetch(), 401, 20003);
  await rejects(asA.api.v2010.accounts(sb.accountSid).fetch(), 401, 20003);
  await rejects(asA.api.v2010.accounts(b.sid).update({ friendlyName: 'stolen' }), 401, 20003);
  await rejects(asA.api.v2010.accounts.create({ friendlyName: 'grandchild' }), 403, 20403);
  const visible = await asA.api.v2010.accounts.list();
  assert.deepEqual(visible.map((x) => x.sid), [a.sid]);
  assert.equal((await main.api.v2010.accounts(b.sid).fetch()).friendlyName, 'tenant-b', 'b is untouched');

  // The main account acts on its subaccounts, also with the helper's accountSid option.
  const mainAsA = sb.client({ accountSid: a.sid });
  const keys = await mainAsA.api.v2010.accounts(a.sid).keys.list();
  assert.deepEqual(keys, []);
});

test('suspending and reactivating a subaccount; a closed account stays closed', async () => {
  const main = sb.client();
  const sub = await main.api.v2010.accounts.create({ friendlyName: 'lifecycle' });
  const asSub = sb.clientFor(sub.sid, sub.authToken);
  await asSub.api.v2010.accounts(sub.sid).fetch();

  await rejects(asSub.api.v2010.accounts(sub.sid).update({ status: 'suspended' }), 403, 20403);
  const suspended = await main.api.v2010.accounts(sub.sid).update({ status: 'suspended' });
  assert.equal(suspended.status, 'suspended');
  await rejects(asSub.api.v2010.accounts(sub.sid).fetch(), 401, 20005);
  assert.equal((await main.api.v2010.accounts.list({ status: 'suspended' })).some((x) => x.sid === sub.sid), true);

  assert.equal((await main.api.v2010.accounts(sub.sid).update({ status: 'active' })).status, 'active');
  await asSub.api.v2010.accounts(sub.sid).fetch();

  assert.equal((await main.api.v2010.accounts(sub.sid).update({ status: 'closed' })).status, 'closed');
  await rejects(asSub.api.v2010.accounts(sub.sid).fetch(), 401, 20005);
  await rejects(main.api.v2010.accounts(sub.sid).update({ status: 'active' }), 400, 20005);
  await rejects(main.api.v2010.accounts(sb.accountSid).update({ status: 'suspended' }), 403, 20403);
  await rejects(main.api.v2010.accounts(sub.sid).update({ status: 'paused' }), 400, 20001);
});
