'use strict';
// The per-account calls-per-second limit ([calls] calls_per_second) queues calls rather than
// failing them: every call goes through, started one interval apart, and its queue_time says how
// long it waited.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
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

// A PBX's INVITE to a domain that does not exist (only the answer matters): its final responses
// (how many, the last one's status and Retry-After), and sipp's trace for failure messages.
async function pbxCall(sb) {
  const pbx = await startSipp({ scenario: path.join(__dirname, 'scenarios/uac_domain_refused.xml'),
    remote: `127.0.0.1:${sb.sipPort}`, timeoutMs: 10000, traceMessages: true,
    extraArgs: ['-key', 'domain', 'nowhere.sip.switchboard.local', '-s', '100', '-au', 'alice', '-ap', 'x'] });
  const { messages } = await pbx.done;
  const finals = messages.split(/^-{5,}.*$/m).filter((m) => /^SIP\/2\.0 [3-6]\d\d /m.test(m));
  const last = finals[finals.length - 1] || '';
  return { finals: finals.length, status: (/^SIP\/2\.0 (\d{3})/m.exec(last) || [])[1],
    retryAfter: (/^Retry-After: *(\d+)\s*$/m.exec(last) || [])[1], trace: messages.slice(-2000) };
}

// Overload ([calls] overload_lag_ms): a signalling loop that runs late holds new calls in the same
// queue until it catches up. The loop is made late for real: the whole server is stopped (SIGSTOP)
// for 400 ms while a call is up, so its 20 ms lag probe fires 400 ms late.
async function callsAfterAStall(config) {
  const sb = await startSwitchboard({ config });
  const uas = await startSipp({ scenario: 'uas', calls: 7, timeoutMs: 30000 });
  try {
    const client = sb.client();
    const to = (name) => `sip:${name}@127.0.0.1:${uas.port}`;
    const long = await client.calls.create({ to: to('long'), from: 'Jack', twiml: '<Response><Pause length="3"/></Response>' });
    for (let i = 0; i < 50; i++) {
      if ((await client.calls(long.sid).fetch()).status === 'in-progress') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    sb.proc.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 400));
    sb.proc.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, 50));
    // A PBX calls in meanwhile (to a domain that does not exist: only the answer matters).
    const pbx = pbxCall(sb);
    const calls = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => client.calls.create({
      to: to(`after${i}`), from: 'Jack', twiml: '<Response><Hangup/></Response>' })));
    for (const c of calls) assert.equal(c.status, 'queued');
    const finals = [];
    for (const c of [long, ...calls]) {
      let f;
      for (let i = 0; i < 100; i++) {
        f = await client.calls(c.sid).fetch();
        if (!['queued', 'ringing', 'in-progress'].includes(f.status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      finals.push(f);
    }
    // Let an overload end: one second on time with nothing waiting.
    await new Promise((r) => setTimeout(r, 1500));
    const inbound = await pbx;
    return { finals, waits: finals.slice(1).map((f) => Number(f.queueTime)).sort((a, b) => a - b), log: sb.logLines(/overload/),
      uasDone: uas.done, inbound };
  } finally {
    await uas.stop();
    assert.equal((await sb.stop()).code, 0);
  }
}

test('a late signalling loop holds new calls in the queue, says so once, and loses none', async () => {
  const { finals, waits, log, uasDone, inbound } = await callsAfterAStall('[calls]\ncalls_per_second = 1000\n');
  for (const f of finals) assert.equal(f.status, 'completed', `${f.to}: ${f.status}`);
  assert.equal((await uasDone).code, 0, 'sipp took all seven calls');
  const started = log.filter((l) => /overload: the signalling loop is \d+ ms behind/.test(l));
  assert.equal(started.length, 1, log.join('\n'));
  assert.ok(Number(/is (\d+) ms behind/.exec(started[0])[1]) >= 300, started[0]);
  assert.equal(log.filter((l) => /overload over after/.test(l)).length, 1, log.join('\n'));
  // One stall is no sustained overload: an inbound call just after it is routed as usual.
  assert.ok(inbound.status && inbound.status !== '503', `the inbound call is routed as usual: ${inbound.status}`);
  assert.match(log.find((l) => /overload over after/.test(l)), /0 inbound refused with 503/);
  // Held back and let through a few at a time (25/s at first, growing), not all at once: the
  // same six calls start together without the hold (next test).
  assert.ok(waits[5] >= 40, `queue times ${waits}`);
});

test('with overload_lag_ms = 0 the same stall holds nothing back', async () => {
  const { finals, waits, log, inbound } = await callsAfterAStall('[calls]\ncalls_per_second = 1000\noverload_lag_ms = 0\n');
  for (const f of finals) assert.equal(f.status, 'completed', `${f.to}: ${f.status}`);
  assert.deepEqual(log, []);
  assert.ok(inbound.status && inbound.status !== '503', `the inbound call is routed as usual: ${inbound.status}`);
  assert.ok(waits[5] < 40, `queue times ${waits}`);
});

// Sustained overload: the server runs 10 ms out of every 80 (SIGSTOP/SIGCONT) for a second and a
// half, so every 20 ms probe fires about 60 ms late. An inbound call then is answered 503 at once
// with Retry-After, and the refusal is counted in the line that ends the overload.
test('a loop that stays late answers new inbound calls 503 with Retry-After, and counts them', async () => {
  const sb = await startSwitchboard({ config: '[calls]\ncalls_per_second = 1000\n' });
  // The lag is measured while calls are up: one that lasts through the test.
  const uas = await startSipp({ scenario: 'uas', calls: 1, timeoutMs: 20000 });
  const client = sb.client();
  const long = await client.calls.create({ to: `sip:long@127.0.0.1:${uas.port}`, from: 'Jack',
    twiml: '<Response><Pause length="5"/></Response>' });
  for (let i = 0; i < 50; i++) {
    if ((await client.calls(long.sid).fetch()).status === 'in-progress') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  let choking = true;
  const choke = (async () => {
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      sb.proc.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 70));
      sb.proc.kill('SIGCONT');
      await new Promise((r) => setTimeout(r, 10));
    }
    choking = false;
  })();
  try {
    await new Promise((r) => setTimeout(r, 400));
    const inbound = await pbxCall(sb);
    assert.ok(choking, 'answered while the server was still overloaded');
    assert.deepEqual({ ...inbound, trace: undefined }, { finals: 1, status: '503', retryAfter: '1', trace: undefined },
      inbound.trace);
    await choke;
    await new Promise((r) => setTimeout(r, 1500));  // one second on time ends the overload
    const log = sb.logLines(/overload/);
    assert.equal(log.filter((l) => /overload: the signalling loop is \d+ ms behind/.test(l)).length, 1, log.join('\n'));
    assert.match(log.find((l) => /overload over after/.test(l)) || '', /1 inbound refused with 503/, log.join('\n'));
  } finally {
    sb.proc.kill('SIGCONT');
    await choke;
    sb.proc.kill('SIGCONT');
    await uas.stop();
    assert.equal((await sb.stop()).code, 0);
  }
});
