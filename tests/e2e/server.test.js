'use strict';
// The binary: version, health, start-up seeding of the main account, restarts, clean shutdown.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { startSwitchboard, BIN } = require('./lib/switchboard');

const SEED_SID = 'AC' + '0123456789abcdef'.repeat(2);
const SEED_TOKEN = 'f'.repeat(32);

test('switchboard version prints its version', () => {
  const out = execFileSync(BIN, ['version'], { encoding: 'utf8' });
  assert.match(out, /^switchboard \d+\.\d+\.\d+\n$/);
});

test('GET /health answers 200 once the server is ready', async () => {
  const sb = await startSwitchboard();
  try {
    const res = await fetch(`${sb.baseUrl}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  } finally {
    assert.equal((await sb.stop()).code, 0);
  }
});

test('a generated main account is printed once, kept across restarts, and shown by `credentials`', async () => {
  const sb = await startSwitchboard();
  const { accountSid, authToken, dataDir } = sb;
  assert.match(authToken, /^[0-9a-f]{32}$/);
  assert.equal((await sb.stop()).code, 0);

  const again = await startSwitchboard({ dataDir });
  try {
    assert.equal(again.accountSid, accountSid);
    assert.doesNotMatch(again.stdout, new RegExp(authToken), 'the token is printed only at first start');
    const account = await again.clientFor(accountSid, authToken).api.v2010.accounts(accountSid).fetch();
    assert.equal(account.status, 'active');
  } finally {
    await again.stop();
  }
  const shown = execFileSync(BIN, ['credentials', '--data-dir', dataDir], { encoding: 'utf8' });
  assert.match(shown, new RegExp(`Account SID: ${accountSid}`));
  assert.match(shown, new RegExp(`Auth token:  ${authToken}`));
});

test('SWITCHBOARD_ACCOUNT_SID and SWITCHBOARD_AUTH_TOKEN seed the main account on first start', async () => {
  const sb = await startSwitchboard({ env: { SWITCHBOARD_ACCOUNT_SID: SEED_SID, SWITCHBOARD_AUTH_TOKEN: SEED_TOKEN } });
  try {
    assert.equal(sb.accountSid, SEED_SID);
    assert.doesNotMatch(sb.stdout, new RegExp(SEED_TOKEN), 'a seeded token is not printed');
    const account = await sb.clientFor(SEED_SID, SEED_TOKEN).api.v2010.accounts(SEED_SID).fetch();
    assert.equal(account.sid, SEED_SID);
    assert.equal(account.authToken, SEED_TOKEN);
    assert.equal(account.ownerAccountSid, SEED_SID);
  } finally {
    await sb.stop();
  }
});

test('a malformed seed or config is refused at start with a message naming it', () => {
  const run = (args, env = {}) => {
    try {
      execFileSync(BIN, args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' });
      return { status: 0, stderr: '' };
    } catch (e) {
      return { status: e.status, stderr: e.stderr };
    }
  };
  const dir = fs.mkdtempSync('/tmp/sb-e2e-');
  let r = run(['serve', '--data-dir', dir, '--http', '127.0.0.1:0'], { SWITCHBOARD_ACCOUNT_SID: 'ACnope', SWITCHBOARD_AUTH_TOKEN: SEED_TOKEN });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /SWITCHBOARD_ACCOUNT_SID must be AC followed by 32 hex digits/);
  r = run(['serve', '--data-dir', dir, '--http', '127.0.0.1:99999']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--http: '99999' is not a port number/);
  const config = path.join(dir, 'bad.toml');
  fs.writeFileSync(config, '[http]\nlisten = "127.0.0.1:0"\nlistne = "typo"\n');
  r = run(['serve', '--data-dir', dir, '--config', config]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown setting 'http.listne'/);
});

test('SIGTERM lets a request in flight finish, then closes the database cleanly', async () => {
  const sb = await startSwitchboard();
  const { port } = new URL(sb.baseUrl);
  const auth = Buffer.from(`${sb.accountSid}:${sb.authToken}`).toString('base64');
  const body = 'FriendlyName=in-flight';
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let response = '';
  socket.on('data', (d) => { response += d; });
  const closed = new Promise((resolve) => socket.on('close', resolve));
  // Headers and half the body now; the request is in flight when the signal arrives.
  socket.write(`POST /2010-04-01/Accounts.json HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${auth}\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
  await new Promise((r) => setTimeout(r, 200));
  sb.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  socket.write(body.slice(5));
  await closed;
  assert.match(response, /^HTTP\/1\.1 201 Created/);
  assert.match(response, /"friendly_name":"in-flight"/);
  assert.match(response, /Connection: close/i);
  const { code } = await sb.exit;
  assert.equal(code, 0);
  assert.match(sb.stderr, /stopped cleanly/);
  // SQLite removes the write-ahead log when the last connection closes cleanly.
  assert.equal(fs.existsSync(path.join(sb.dataDir, 'switchboard.db-wal')), false);

  const again = await startSwitchboard({ dataDir: sb.dataDir });
  try {
    const names = (await again.clientFor(sb.accountSid, sb.authToken).api.v2010.accounts.list())
      .map((a) => a.friendlyName);
    assert.ok(names.includes('in-flight'), 'the in-flight write was committed');
  } finally {
    await again.stop();
  }
});

test('realtime_priority puts the signalling thread, and only it, under SCHED_RR', async () => {
  const sb = await startSwitchboard({ config: 'realtime_priority = 7\n' });
  try {
    const sched = (tid) => {
      const stat = fs.readFileSync(`/proc/${sb.proc.pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { priority: Number(f[37]), policy: Number(f[38]) }; // fields 40 and 41 of proc(5)
    };
    const SCHED_RR = 2;
    assert.equal((await fetch(`${sb.baseUrl}/health`)).status, 200); // the loop runs: its policy is set
    assert.deepEqual(sched(sb.proc.pid), { priority: 7, policy: SCHED_RR });
    const others = fs.readdirSync(`/proc/${sb.proc.pid}/task`).filter((t) => Number(t) !== sb.proc.pid);
    assert.ok(others.length >= 2, 'media and store threads exist');
    for (const tid of others) assert.notEqual(sched(tid).policy, SCHED_RR, `thread ${tid}`);
    assert.equal(sb.logLines(/SCHED_RR priority 7/).length, 1);
  } finally {
    await sb.stop();
  }
});

test('realtime_priority without the right to it: one warning, normal scheduling, the server serves', async (t) => {
  if (process.getuid() !== 0) return t.skip('needs root, to start the server as an unprivileged user');
  const dir = fs.mkdtempSync('/tmp/sb-e2e-');
  fs.chmodSync(dir, 0o777);
  const config = path.join(dir, 'rt.toml');
  fs.writeFileSync(config, 'realtime_priority = 10\n');
  const proc = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', BIN, 'serve',
    '--data-dir', path.join(dir, 'data'), '--http', '127.0.0.1:0', '--sip', '127.0.0.1:0', '--rtp-ports', '46000-46099',
    '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => { stdout += d; });
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  try {
    const deadline = Date.now() + 10000;
    while (!/client\.api\.baseUrl = '([^']+)'/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const base = /client\.api\.baseUrl = '([^']+)'/.exec(stdout);
    assert.ok(base, `the server started:\n${stderr}`);
    assert.equal((await fetch(`${new URL(base[1]).origin}/health`)).status, 200);
    const warnings = stderr.split('\n').filter((l) => /realtime_priority = 10: the signalling thread stays in normal scheduling/.test(l));
    assert.equal(warnings.length, 1, stderr);
    const stat = fs.readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
    assert.equal(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]), 0); // SCHED_OTHER
  } finally {
    proc.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
