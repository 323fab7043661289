'use strict';
// <Play> keeps audio in its cache as HTTP allows: a copy with an ETag is revalidated (If-None-Match,
// 304 keeps it), a changed file replaces it, and max-age spares the request altogether.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { assert.equal((await sb.stop()).code, 0); });

// A 0.3 s 16-bit mono WAV of a tone.
function wav(hz) {
  const rate = 8000;
  const n = rate * 0.3;
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVE', 8); b.write('fmt ', 12);
  b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write('data', 36);
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  return b;
}

async function playOnce(hooks, path) {
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 15000 });
  try {
    const call = await sb.client().calls.create({ to: `sip:p@127.0.0.1:${uas.port}`, from: 'Jack',
      twiml: `<Response><Play>${hooks.url}${path}</Play><Hangup/></Response>` });
    assert.equal((await uas.done).code, 0);
    return call.sid;
  } finally {
    await uas.stop();
  }
}

test('an ETag copy is revalidated with If-None-Match; 304 keeps it, a new ETag replaces it', async () => {
  let version = 'v1';
  const hooks = await startWebhookServer((req) => {
    if (req.path !== '/tone.wav') return '';
    if (req.headers['if-none-match'] === `"${version}"`) return { status: 304, body: '', headers: { ETag: `"${version}"` } };
    return { contentType: 'audio/wav', body: wav(version === 'v1' ? 440 : 880), headers: { ETag: `"${version}"` } };
  });
  try {
    await playOnce(hooks, '/tone.wav');
    await playOnce(hooks, '/tone.wav');
    version = 'v2';
    await playOnce(hooks, '/tone.wav');
    const gets = hooks.requests.filter((r) => r.path === '/tone.wav');
    assert.equal(gets.length, 3);
    assert.equal(gets[0].headers['if-none-match'], undefined, 'the first fetch is plain');
    assert.equal(gets[1].headers['if-none-match'], '"v1"', 'then revalidated');
    assert.equal(gets[2].headers['if-none-match'], '"v1"', 'a 304 kept the v1 validator');
  } finally {
    await hooks.close();
  }
});

test('Cache-Control max-age keeps a copy fresh: no request at all while it lasts', async () => {
  const hooks = await startWebhookServer((req) => (req.path === '/fresh.wav'
    ? { contentType: 'audio/wav', body: wav(440), headers: { 'Cache-Control': 'public, max-age=600', ETag: '"x"' } }
    : ''));
  try {
    await playOnce(hooks, '/fresh.wav');
    await playOnce(hooks, '/fresh.wav');
    assert.equal(hooks.requests.filter((r) => r.path === '/fresh.wav').length, 1);
  } finally {
    await hooks.close();
  }
});

test('a <Play> URL that is not audio (13420) or not found (11200) is skipped with a warning; the call goes on', async () => {
  const hooks = await startWebhookServer((req) => {
    if (req.path === '/page.html') return { contentType: 'text/html', body: '<html></html>' };
    if (req.path === '/gone.wav') return { status: 404, body: 'no' };
    if (req.path === '/tone.wav') return { contentType: 'audio/wav', body: wav(660) };
    return '';
  });
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 15000 });
  try {
    const call = await sb.client().calls.create({ to: `sip:p@127.0.0.1:${uas.port}`, from: 'Jack',
      twiml: `<Response><Play>${hooks.url}/page.html</Play><Play>${hooks.url}/gone.wav</Play>`
        + `<Play>${hooks.url}/tone.wav</Play><Hangup/></Response>` });
    assert.equal((await uas.done).code, 0);
    assert.deepEqual(hooks.requests.map((r) => r.path), ['/page.html', '/gone.wav', '/tone.wav'],
      'each URL fetched once, in order: the call went on past both failures');
    const codes = (await sb.client().api.v2010.account.notifications.list({ limit: 20 }))
      .filter((n) => n.callSid === call.sid).map((n) => n.errorCode).sort();
    assert.deepEqual(codes, ['11200', '13420']);
    assert.equal((await sb.client().calls(call.sid).fetch()).status, 'completed');
  } finally {
    await uas.stop();
    await hooks.close();
  }
});
