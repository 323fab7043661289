'use strict';
// Bad input to the REST API: each kind gets a Twilio-style error, one log line, no crash,
// nothing corrupted, and the server keeps serving.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { startSwitchboard } = require('./lib/switchboard');

let sb;
let auth;
test.before(async () => {
  // A short request timeout keeps the slow-client case fast.
  sb = await startSwitchboard({ config: '[http]\nrequest_timeout_seconds = 1\nmax_body_bytes = 65536\n' });
  auth = 'Basic ' + Buffer.from(`${sb.accountSid}:${sb.authToken}`).toString('base64');
});
test.after(async () => {
  assert.equal((await sb.stop()).code, 0, 'the server survived every bad request and stopped cleanly');
});

// Sends raw bytes and returns everything the server answers until it closes the connection.
function raw(bytes, { pauseMs = 0, tail = '' } = {}) {
  const { port } = new URL(sb.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => { answer += d; });
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('connect', () => {
      socket.write(bytes);
      if (tail) setTimeout(() => socket.write(tail), pauseMs);
    });
    setTimeout(() => { socket.destroy(); reject(new Error(`no close; got: ${answer}`)); }, 10000);
  });
}

function jsonBody(httpText) {
  return JSON.parse(httpText.slice(httpText.indexOf('\r\n\r\n') + 4));
}

async function stillServes() {
  const account = await sb.client().api.v2010.accounts(sb.accountSid).fetch();
  assert.equal(account.sid, sb.accountSid);
}

test('an oversize body is answered 413 without being read', async () => {
  const big = 'FriendlyName=' + 'x'.repeat(200000);
  const answer = await raw(`POST /2010-04-01/Accounts.json HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${big.length}\r\n\r\n${big.slice(0, 1000)}`);
  assert.match(answer, /^HTTP\/1\.1 413 /);
  const body = jsonBody(answer);
  assert.equal(body.status, 413);
  assert.match(body.message, /larger than 65536 bytes/);
  assert.equal(sb.logLines(/answered 413/).length, 1, 'logged once');
  await stillServes();
});

test('a client that stops sending mid-request is answered 408 and disconnected', async () => {
  const answer = await raw(`POST /2010-04-01/Accounts.json HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Len`);
  assert.match(answer, /^HTTP\/1\.1 408 /);
  assert.equal(jsonBody(answer).status, 408);
  assert.equal(sb.logLines(/slow request .* answered 408/).length, 1);
  await stillServes();
});

test('garbage instead of HTTP is answered 400', async () => {
  const answer = await raw('HELLO THERE\r\n\r\n');
  assert.match(answer, /^HTTP\/1\.1 400 /);
  await stillServes();
});

test('oversize headers are answered 431', async () => {
  const answer = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20000)}\r\n\r\n`);
  assert.match(answer, /^HTTP\/1\.1 431 /);
  await stillServes();
});

test('a body that is not form-encoded, or badly percent-encoded, is answered 400', async () => {
  let res = await fetch(`${sb.baseUrl}/2010-04-01/Accounts.json`, {
    method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: '{"FriendlyName":"x"}',
  });
  assert.equal(res.status, 400);
  assert.match((await res.json()).message, /application\/x-www-form-urlencoded/);
  res = await fetch(`${sb.baseUrl}/2010-04-01/Accounts.json`, {
    method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'FriendlyName=%zz',
  });
  assert.equal(res.status, 400);
  assert.match((await res.json()).message, /form-encoded/);
  await stillServes();
});

test('unknown parameters are ignored and reported as warning 20001, as Twilio does', async () => {
  const res = await fetch(`${sb.baseUrl}/2010-04-01/Accounts.json`, {
    method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'FriendlyName=with-extra&Colour=blue',
  });
  assert.equal(res.status, 201);
  const notifications = await sb.client().api.v2010.accounts(sb.accountSid).notifications.list();
  const warning = notifications.find((n) => n.messageText.includes('Colour'));
  assert.ok(warning, 'a notification names the unknown parameter');
  assert.equal(warning.errorCode, '20001');
  assert.equal(warning.log, '1');
  assert.equal(warning.requestMethod, 'POST');
  assert.equal(warning.requestUrl, '/2010-04-01/Accounts.json');
  const fetched = await sb.client().api.v2010.accounts(sb.accountSid).notifications(warning.sid).fetch();
  assert.equal(fetched.messageText, 'Unknown parameters: Colour');
  assert.equal(sb.logLines(/20001 .*Unknown parameters: Colour/).length, 1);
});

test('unknown SIDs and paths are 404 with code 20404', async () => {
  const client = sb.client();
  for (const promise of [
    client.keys('SK' + '0'.repeat(32)).fetch(),
    client.api.v2010.accounts(sb.accountSid).notifications('NO' + '0'.repeat(32)).fetch(),
  ]) {
    await assert.rejects(promise, (e) => e.status === 404 && e.code === 20404);
  }
  const res = await fetch(`${sb.baseUrl}/2010-04-01/Accounts/${sb.accountSid}/Nothing.json`, { headers: { Authorization: auth } });
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.code, 20404);
  assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/20404');
});

test('a wrong method is 405 with code 20004', async () => {
  const res = await fetch(`${sb.baseUrl}/2010-04-01/Accounts/${sb.accountSid}.json`, {
    method: 'DELETE', headers: { Authorization: auth },
  });
  assert.equal(res.status, 405);
  const body = await res.json();
  assert.equal(body.code, 20004);
  assert.equal(body.status, 405);
});

test('invalid paging parameters are 400 with the parameter named', async () => {
  for (const q of ['PageSize=0', 'PageSize=1001', 'PageSize=abc', 'Page=-1', 'PageToken=bogus']) {
    const res = await fetch(`${sb.baseUrl}/2010-04-01/Accounts.json?${q}`, { headers: { Authorization: auth } });
    assert.equal(res.status, 400, q);
    const body = await res.json();
    assert.match(body.message, new RegExp(q.split('=')[0]), q);
  }
  await stillServes();
});

test('many concurrent bad and good requests: every good one succeeds', async () => {
  const client = sb.client();
  const work = [];
  for (let i = 0; i < 20; i++) {
    work.push(client.api.v2010.accounts.create({ friendlyName: `burst-${i}` }));
    work.push(fetch(`${sb.baseUrl}/2010-04-01/Accounts.json`, { headers: { Authorization: 'Basic Zm9vOmJhcg==' } }));
  }
  const results = await Promise.all(work);
  const created = results.filter((r) => r && r.sid);
  assert.equal(created.length, 20);
  const names = new Set((await client.api.v2010.accounts.list()).map((a) => a.friendlyName));
  for (let i = 0; i < 20; i++) assert.ok(names.has(`burst-${i}`));
});
