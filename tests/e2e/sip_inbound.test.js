'use strict';
// What switchboard's own SIP listener answers outside calls to domains: OPTIONS pings and
// requests out of hops (calls into SIP domains: sip_domain_calls.test.js).

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startSwitchboard } = require('./lib/switchboard');
const { startSipp } = require('./lib/sipp');

let sb;
test.before(async () => { sb = await startSwitchboard(); });
test.after(async () => { assert.equal((await sb.stop()).code, 0); });

test('an INVITE with Max-Forwards 0 is answered 483 Too Many Hops', async () => {
  const uac = await startSipp({ scenario: path.join(__dirname, 'scenarios/uac_max_forwards_zero.xml'),
    remote: `127.0.0.1:${sb.sipPort}`, timeoutMs: 10000 });
  const result = await uac.done;
  assert.equal(result.code, 0, `${result.output.slice(-2000)}\n${result.errors}`);
});

test('OPTIONS to switchboard is answered 200', async () => {
  const uac = await startSipp({ scenario: path.join(__dirname, 'scenarios/options_uac.xml'),
    remote: `127.0.0.1:${sb.sipPort}`, timeoutMs: 10000 });
  const result = await uac.done;
  assert.equal(result.code, 0, `${result.output.slice(-2000)}\n${result.errors}`);
});
