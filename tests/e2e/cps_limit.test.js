'use strict';
// The per-account calls-per-second limit ([calls] calls_per_second) queues calls rather than
// failing them: every call goes through, started one interval apart, and its queue_time says how
// long it waited.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');
const { startWebhookServer } = require('./lib/webhook_server');

test('calls above calls_per_second wait their turn and all complete', async () => {
  const sb = await startSwitchboard({ config: '[calls]\ncalls_per_second = 2\n' });
  const hooks = await startWebhookServer();
  const uas = await startSipp({ scenario: 'uas', calls: 4, timeoutMs: 20000 });
  try {
    const client = sb.client();
    const calls = await Promise.all([0, 1, 2, 3].map((i) => client.calls.create({
      to: `sip:queued${i}@127.0.0.1:${uas.port}`, from: 'Jack', twiml: '<Response><Hangup/></Response>',
      statusCallback: `${hooks.url}/status`, statusCallbackEvent: ['initiated', 'completed'] })));
    for (const c of calls) assert.equal(c.status, 'queued');

    const initiated = await hooks.waitFor(4, { filter: (h) => h.params.CallStatus === 'initiated', timeoutMs: 15000 });
    const starts = initiated.map((h) => h.receivedAt).sort((a, b) => a - b);
    assert.equal(starts.length, 4);
    // 2 calls per second: the fourth starts about 1.5 s after the first, not at once.
    assert.ok(starts[3] - starts[0] >= 1200, `starts spread over ${starts[3] - starts[0]} ms`);

    await hooks.waitFor(4, { filter: (h) => h.params.CallStatus === 'completed', timeoutMs: 15000 });
    const finals = await Promise.all(calls.map((c) => client.calls(c.sid).fetch()));
    for (const f of finals) assert.equal(f.status, 'completed');
    const waits = finals.map((f) => Number(f.queueTime)).sort((a, b) => a - b);
    assert.ok(waits[0] < 300, `the first call waited ${waits[0]} ms`);
    assert.ok(waits[3] >= 1200, `the last call waited ${waits[3]} ms`);
    assert.equal((await uas.done).code, 0, 'sipp took all four calls');
  } finally {
    await uas.stop();
    await hooks.close();
    assert.equal((await sb.stop()).code, 0);
  }
});
