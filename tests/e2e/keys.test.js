'use strict';
// API keys: a secret shown once, Basic auth with SK + secret, standard keys kept out of the
// Accounts and Keys resources, revocation.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { startSwitchboard } = require('./lib/switchboard');

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { await sb.stop(); });

async function rejects(promise, status, code) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.status, status, e.message);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

test('a key is created with a secret shown once, then authenticates for its account', async () => {
  const main = sb.client();
  const key = await main.newKeys.create({ friendlyName: 'ci' });
  assert.match(key.sid, /^SK[0-9a-f]{32}$/);
  assert.match(key.secret, /^[0-9a-f]{32}$/);
  assert.equal(key.friendlyName, 'ci');

  const fetched = await main.keys(key.sid).fetch();
  assert.equal(fetched.friendlyName, 'ci');
  assert.equal(fetched.secret, undefined, 'the secret is never shown again');
  const listed = await main.keys.list();
  assert.ok(listed.some((k) => k.sid === key.sid));
  assert.ok(listed.every((k) => k.secret === undefined));

  // twilio(keySid, secret, { accountSid }) as Twilio documents for API keys.
  const asKey = sb.clientFor(key.sid, key.secret, { accountSid: sb.accountSid });
  const notifications = await asKey.api.v2010.accounts(sb.accountSid).notifications.list();
  assert.ok(Array.isArray(notifications));

  // Standard keys may not use the Accounts or Keys resources.
  await rejects(asKey.api.v2010.accounts(sb.accountSid).fetch(), 403, 20403);
  await rejects(asKey.keys.list(), 403, 20403);
  await rejects(asKey.api.v2010.accounts.create({ friendlyName: 'x' }), 403, 20403);

  // A wrong secret is a wrong password.
  await rejects(sb.clientFor(key.sid, 'a'.repeat(32), { accountSid: sb.accountSid })
    .api.v2010.accounts(sb.accountSid).notifications.list(), 401, 20003);

  const renamed = await main.keys(key.sid).update({ friendlyName: 'ci-2' });
  assert.equal(renamed.friendlyName, 'ci-2');
  assert.equal(await main.keys(key.sid).remove(), true);
  await rejects(main.keys(key.sid).fetch(), 404, 20404);
  await rejects(asKey.api.v2010.accounts(sb.accountSid).notifications.list(), 401, 20003);
});

test('a subaccount key cannot reach the parent or a sibling', async () => {
  const main = sb.client();
  const sub = await main.api.v2010.accounts.create({ friendlyName: 'key-owner' });
  const sibling = await main.api.v2010.accounts.create({ friendlyName: 'sibling' });
  const key = await sb.clientFor(sub.sid, sub.authToken).newKeys.create({ friendlyName: 'sub-key' });
  const asKey = sb.clientFor(key.sid, key.secret, { accountSid: sub.sid });
  await asKey.api.v2010.accounts(sub.sid).notifications.list();
  await rejects(asKey.api.v2010.accounts(sb.accountSid).notifications.list(), 401, 20003);
  await rejects(asKey.api.v2010.accounts(sibling.sid).notifications.list(), 401, 20003);
  // Another account's key SID under this account's path is not found.
  await rejects(main.keys(key.sid).fetch(), 404, 20404);
});

test('key secrets are stored only as hashes and never logged', async () => {
  const key = await sb.client().newKeys.create({ friendlyName: 'hashed' });
  const db = path.join(sb.dataDir, 'switchboard.db');
  const dump = execFileSync('sqlite3', [db, '.dump'], { encoding: 'utf8' });
  assert.ok(!dump.includes(key.secret), 'the secret is not in the database');
  assert.ok(dump.includes(key.sid));
  assert.ok(!sb.stderr.includes(key.secret), 'the secret is not in the log');
  assert.ok(!sb.stderr.includes(sb.authToken), 'the auth token is not in the log');
});
