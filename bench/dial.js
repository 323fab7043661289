#!/usr/bin/env node
'use strict';
// <Dial><Sip> benchmarks (issue 6): bridged calls per second and CPU per bridged call, next to
// Kamailio's CPU per proxied call in the same run; and (AUDIO=1) concurrent bridged calls with
// audio through switchboard's relay.
//
//   node bench/dial.js                                  # 1000 calls at 100/s, 3 rounds
//   CALLS=2000 RATES="100 200 400" ROUNDS=3 node bench/dial.js
//   AUDIO=1 CONCURRENCY="50 100 200 400" node bench/dial.js
//   SWITCHBOARD=0 CALLS=3000 RATES="600 1000" node bench/dial.js   # Kamailio alone: the machine's ceiling
//
// Bridged calls (default). Per round and rate, alternately:
//   switchboard: a fresh server (build/release, `[calls] calls_per_second = 10000`, log level
//     warn, --rtp-ports 61000-64999) places CALLS calls created with twilio-node at RATE/s to a
//     sipp UAS (the *parent*: built-in `uas`, waits for our BYE). The local webhook answers every
//     voice request with <Dial><Sip>sip:b@127.0.0.1:PORT_B</Sip></Dial> (no action), PORT_B being
//     a second sipp UAS (the *child*: tests/e2e/scenarios/uas_answer_bye.xml, -d HOLD_MS) that
//     hangs up; the parent's document then ends and switchboard hangs the parent up.
//   Kamailio: a fresh `kamailio -f bench/kamailio-proxy.cfg -DD -E -n KAM_CHILDREN` (stateful,
//     record-routing) between a sipp UAC (built-in `uac`, -r RATE, -d HOLD_MS, -m CALLS) and a
//     sipp UAS (built-in `uas`).
// Reported per run: the rate at which calls ended (BYE span: (n-1) / (first BYE .. last BYE seen
// on the parent / UAS port)), the rate end to end (n / (first request .. last BYE)), failures
// (switchboard: parent and child final statuses from the Calls API; Kamailio: sipp's failed
// calls), SIP retransmissions, the server's CPU per call (utime+stime from /proc, Kamailio summed
// over its processes) from the first request to 300 ms after the last BYE, switchboard's CPU split
// by thread (the signalling loop is the main thread), the client's CPU (twilio-node + webhook,
// this process) and sipp's, and the load average. Then the medians and the ratio
// switchboard/Kamailio of CPU per call.
//
// Audio (AUDIO=1): for each concurrency C, a fresh switchboard, C calls created at AUDIO_RATE
// (default C/2 per second, so the ramp takes 2 s); the child plays sip-tester's g711a.pcap
// (tests/e2e/scenarios/uas_play_bye.xml, -d AUDIO_HOLD_MS) and the parent sipp runs with
// -rtp_echo, so audio crosses the relay both ways. A capture on lo counts the RTP packets each
// way (loss = 1 - relayed / sent); CPU per relayed packet and % of a core per 100 calls are taken
// over the window where all C calls carry audio, and over the whole run (set-up and tear-down
// included).
//
// SIP timing comes from a packet capture of this run's ports (dumpcap, kernel timestamps). Needs
// build/release/switchboard, sipp, dumpcap, tests/e2e/node_modules, and kamailio (installed with
// apt-get when missing). Everything runs on 127.0.0.1, bounded by CALLS, RUN_TIMEOUT_MS per run;
// every process started here is stopped on exit and the temporary directories are removed.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const root = path.resolve(__dirname, '..');
const e2e = path.join(root, 'tests/e2e');
const { startSwitchboard } = require(path.join(e2e, 'lib/switchboard'));
const sippLib = require(path.join(e2e, 'lib/sipp'));
const { freeUdpPort } = sippLib;
const { packets } = require('./pcap');

const bounded = (name, def, lo, hi) => {
  const v = Number(process.env[name] ?? def);
  if (!Number.isFinite(v) || v < lo || v > hi) throw new Error(`${name} must be within ${lo}..${hi}`);
  return v;
};
const list = (name, def) => (process.env[name] || def).split(/[\s,]+/).filter(Boolean).map(Number);
const AUDIO = process.env.AUDIO === '1';
const CALLS = bounded('CALLS', 1000, 1, 20000);
const RATES = list('RATES', process.env.RATE || '100');
const ROUNDS = bounded('ROUNDS', 3, 1, 10);
const HOLD_MS = bounded('HOLD_MS', 500, 0, 60000);
const RUN_TIMEOUT_MS = bounded('RUN_TIMEOUT_MS', 180000, 10000, 900000);
const KAM_CHILDREN = bounded('KAM_CHILDREN', 4, 1, 64);
const KAMAILIO = process.env.KAMAILIO !== '0';
// SWITCHBOARD=0: Kamailio's runs alone (what this machine carries at a rate with the lightest server).
const SWITCHBOARD = process.env.SWITCHBOARD !== '0';
if (!SWITCHBOARD && !KAMAILIO) throw new Error('SWITCHBOARD=0 and KAMAILIO=0 leave nothing to run');
// REALTIME=N: switchboard's signalling thread under SCHED_RR priority N (realtime_priority).
const REALTIME = Number(process.env.REALTIME || 0);
// COMMIT_DELAY_MS=N: the store writer gathers writes N ms before a commit (store.commit_delay_ms).
const COMMIT_DELAY_MS = bounded('COMMIT_DELAY_MS', 0, 0, 100);
const SB_CONFIG = `${REALTIME ? `realtime_priority = ${REALTIME}\n` : ''}[calls]\ncalls_per_second = 10000\n` +
  `[store]\ncommit_delay_ms = ${COMMIT_DELAY_MS}\n`;
const CONCURRENCY = list('CONCURRENCY', '50 100 200 400');
const AUDIO_HOLD_MS = bounded('AUDIO_HOLD_MS', 8000, 3000, 60000);
const RTP_PORTS = process.env.RTP_PORTS || '61000-64999'; // above the ephemeral range and the e2e tests' ranges
const BUFF = '8388608';
const HZ = 100; // CLK_TCK on Linux x86-64
for (const r of RATES) if (!(r > 0 && r <= 5000)) throw new Error('RATES must be within 1..5000');
for (const c of CONCURRENCY) if (!(c > 0 && c <= 900)) throw new Error('CONCURRENCY must be within 1..900');

const now = () => performance.timeOrigin + performance.now(); // ms since the epoch
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const scenario = (name) => path.join(e2e, 'scenarios', name);

// --- /proc ------------------------------------------------------------------------------------
function statFields(file) {
  const s = fs.readFileSync(file, 'utf8');
  return { comm: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')), f: s.slice(s.lastIndexOf(')') + 2).split(' ') };
}
function ticks(pid) {
  try { const { f } = statFields(`/proc/${pid}/stat`); return Number(f[11]) + Number(f[12]); } catch { return 0; }
}
function children(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch { return []; }
}
// utime+stime of a process and all its descendants (Kamailio forks its workers).
function treeTicks(pid) { return ticks(pid) + children(pid).reduce((s, c) => s + treeTicks(c), 0); }
// Per thread: { 'tid:comm': ticks }.
function threadTicks(pid) {
  const out = {};
  try {
    for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
      const { comm, f } = statFields(`/proc/${pid}/task/${t}/stat`);
      out[Number(t) === pid ? `main:${comm}` : `${t}:${comm}`] = Number(f[11]) + Number(f[12]);
    }
  } catch { /* exited */ }
  return out;
}
const threadSum = (threads, pick) => Object.entries(threads).filter(([n]) => pick(n)).reduce((a, [, v]) => a + v, 0);
function udpCounters() {
  const lines = fs.readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const k = lines[0].split(/\s+/), v = lines[1].split(/\s+/).map(Number);
  return Object.fromEntries(k.map((name, i) => [name, v[i]]));
}
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

// Samples a CPU counter every 100 ms; at(t) gives the first sample at or after t (ms).
function sampler(read) {
  const samples = [{ t: now(), v: read() }];
  const timer = setInterval(() => samples.push({ t: now(), v: read() }), 100);
  return {
    stop() { clearInterval(timer); samples.push({ t: now(), v: read() }); },
    at(t) { return samples.find((s) => s.t >= t) || samples[samples.length - 1]; },
    before(t) { let b = samples[0]; for (const s of samples) if (s.t <= t) b = s; return b; },
  };
}

// --- processes and captures -------------------------------------------------------------------
const cleanups = [];
async function cleanup() {
  while (cleanups.length) { const c = cleanups.pop(); try { await c(); } catch { /* best effort */ } }
}
function stopProc(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const k = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.on('exit', () => { clearTimeout(k); resolve(); });
    proc.kill('SIGTERM');
  });
}

async function startCapture(file, filter, snaplen) {
  const cap = spawn('dumpcap', ['-q', '-i', 'lo', '-P', '-s', String(snaplen), '-B', '128', '-f', filter, '-w', file],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`dumpcap did not start: ${err}`)), 10000);
    cap.stderr.on('data', (d) => { err += d; if (/Capturing on/.test(err)) { clearTimeout(t); resolve(); } });
    cap.on('exit', () => { clearTimeout(t); reject(new Error(`dumpcap exited: ${err}`)); });
  });
  await sleep(200);
  const stop = async () => { await sleep(300); await stopProc(cap); };
  cleanups.push(stop);
  return { stop };
}

// sipp as tests/e2e/lib/sipp.js starts it; its working directory is removed on cleanup.
async function startSipp(options) {
  const sipp = await sippLib.startSipp(options);
  cleanups.push(() => fs.rmSync(sipp.workDir, { recursive: true, force: true }));
  return sipp;
}
// The calls sipp aborted, from its error log (-trace_err): "Aborting call on unexpected message
// ... while expecting 'ACK'" and the like, counted by kind.
function sippErrors(result) {
  const kinds = {};
  for (const m of (result.errors || '').matchAll(/^\S+\t\S+\t[\d.]+: (.*)$/gm)) {
    const k = m[1].replace(/ for Call-Id '[^']*'/, '').replace(/^Dead call \S+/, 'Dead call').replace(/(received '\S+).*/, "$1'").slice(0, 100);
    kinds[k] = (kinds[k] || 0) + 1;
  }
  return kinds;
}

// Waits for a sipp, but no longer than `ms`; then stops it.
async function sippDone(sipp, ms) {
  const r = await Promise.race([sipp.done, sleep(ms).then(() => null)]);
  return r || sipp.stop();
}
// The last line of a sipp statistics file (-trace_stat -stf): cumulative counters.
function sippStats(file) {
  try {
    const rows = fs.readFileSync(file, 'utf8').trim().split('\n');
    const head = rows[0].split(';'), last = rows[rows.length - 1].split(';');
    const get = (n) => Number(last[head.indexOf(n)]);
    return { ok: get('SuccessfulCall(C)'), failed: get('FailedCall(C)'), retrans: get('Retransmissions(C)') };
  } catch { return { ok: NaN, failed: NaN, retrans: NaN }; }
}

// SIP events of a capture: per (sender port -> receiver port), the times of INVITEs and BYEs
// and the INVITE retransmissions (repeated Call-IDs).
function sipEvents(file, from, to) {
  const inv = [], bye = [], ids = new Set();
  let invites = 0;
  for (const p of packets(file)) {
    if (p.proto !== 17 || p.sport !== from || p.dport !== to) continue;
    if (p.text.startsWith('INVITE ')) {
      invites++;
      const m = /\nCall-ID:\s*(\S+)/i.exec(p.text);
      const id = m ? m[1] : String(invites);
      if (!ids.has(id)) { ids.add(id); inv.push(p.t); }
    } else if (p.text.startsWith('BYE ')) bye.push(p.t);
  }
  return { inv, bye, inviteRetrans: invites - inv.length };
}
const spanRate = (ts) => (ts.length > 1 ? (ts.length - 1) / ((ts[ts.length - 1] - ts[0]) / 1000) : NaN);
const r1 = (x, d = 1) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);

// The webhook: every voice request dials the child UAS.
async function startWebhook(childPort) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Sip>sip:b@127.0.0.1:${childPort}</Sip></Dial></Response>`);
    });
  });
  server.keepAliveTimeout = 60000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const stop = () => new Promise((r) => { server.closeAllConnections(); server.close(r); });
  cleanups.push(stop);
  return { port: server.address().port, stop };
}

// Creates `count` calls at `rate` per second; resolves when every create has been answered.
async function createCalls(client, count, rate, to, url) {
  const t0 = now();
  const creates = [];
  let errors = 0;
  const firstError = [];
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / rate - now();
    if (wait > 1) await sleep(wait);
    creates.push(client.calls.create({ to, from: 'bench', url }).catch((e) => {
      errors++; if (firstError.length < 3) firstError.push(e.message);
    }));
  }
  const tLastSent = now();
  await Promise.all(creates);
  return { t0, tLastSent, tPosted: now(), errors, firstError };
}

// --- one switchboard run ----------------------------------------------------------------------
async function runSwitchboard(rate, work) {
  const mark = cleanups.length;
  const sb = await startSwitchboard({ config: SB_CONFIG, rtpPorts: RTP_PORTS, logLevel: 'warn' });
  cleanups.push(() => sb.stop());
  const sippWait = RUN_TIMEOUT_MS - 15000;
  const dir = fs.mkdtempSync(path.join(work, 'sb-'));
  const parent = await startSipp({ scenario: 'uas', calls: CALLS, timeoutMs: sippWait,
    extraArgs: ['-buff_size', BUFF, '-trace_stat', '-stf', path.join(dir, 'parent.csv'), '-fd', '1'] });
  cleanups.push(() => parent.stop());
  const child = await startSipp({ scenario: scenario('uas_answer_bye.xml'), calls: CALLS, timeoutMs: sippWait,
    extraArgs: ['-d', String(HOLD_MS), '-buff_size', BUFF, '-trace_stat', '-stf', path.join(dir, 'child.csv'), '-fd', '1'] });
  cleanups.push(() => child.stop());
  const hook = await startWebhook(child.port);
  const pcap = path.join(dir, 'sip.pcap');
  const cap = await startCapture(pcap, `udp and (port ${parent.port} or port ${child.port})`, 1500);

  const client = sb.client();
  const load0 = loadavg();
  const udp0 = udpCounters();
  const cpu = sampler(() => ticks(sb.proc.pid));
  const sippCpu = sampler(() => ticks(parent.proc.pid) + ticks(child.proc.pid));
  const threads0 = threadTicks(sb.proc.pid);
  const self0 = process.cpuUsage();
  const created = await createCalls(client, CALLS, rate, `sip:a@127.0.0.1:${parent.port}`, `http://127.0.0.1:${hook.port}/voice`);
  const self1 = process.cpuUsage(self0);
  const [pr, cr] = await Promise.all([sippDone(parent, sippWait), sippDone(child, sippWait)]);
  cpu.stop(); sippCpu.stop();
  const threads1 = threadTicks(sb.proc.pid);
  const udp1 = udpCounters();
  const load1 = loadavg();
  await cap.stop();

  const calls = await client.calls.list({ pageSize: 1000, limit: 2 * CALLS + 10 });
  const statuses = { parent: {}, child: {} };
  for (const c of calls) {
    const side = c.direction === 'outbound-dial' ? 'child' : 'parent';
    statuses[side][c.status] = (statuses[side][c.status] || 0) + 1;
  }
  const parentStats = sippStats(path.join(dir, 'parent.csv')), childStats = sippStats(path.join(dir, 'child.csv'));
  // A call fails when either side says so: its API status, or sipp (which aborts a call that,
  // e.g., gets its INVITE retransmitted after answering) for either leg.
  const ok = Math.min(statuses.parent.completed || 0, statuses.child.completed || 0,
    Number.isFinite(parentStats.ok) ? parentStats.ok : 0, Number.isFinite(childStats.ok) ? childStats.ok : 0);
  const toParent = sipEvents(pcap, sb.sipPort, parent.port);
  const toChild = sipEvents(pcap, sb.sipPort, child.port);
  const childBye = sipEvents(pcap, child.port, sb.sipPort).bye;
  const lastBye = toParent.bye[toParent.bye.length - 1] ?? now();
  const end = cpu.at(lastBye + 300);
  const start = cpu.before(created.t0);
  const cpuS = (end.v - start.v) / HZ;
  const threads = {};
  for (const [k, v] of Object.entries(threads1)) threads[k] = (v - (threads0[k] || 0)) / HZ;
  const result = {
    server: 'switchboard', rate, calls: CALLS, holdMs: HOLD_MS,
    endedPerSecond: r1(spanRate(toParent.bye)), endToEndPerSecond: r1(toParent.bye.length / ((lastBye - created.t0) / 1000)),
    parentInvitesPerSecond: r1(spanRate(toParent.inv)), childInvitesPerSecond: r1(spanRate(toChild.inv)),
    postsPerSecond: r1(CALLS / ((created.tLastSent - created.t0) / 1000)),
    createErrors: created.errors, createErrorSamples: created.firstError,
    statuses, listed: calls.length, failures: CALLS - ok,
    sipp: { parent: { ...parentStats, code: pr.code, errors: sippErrors(pr) },
      child: { ...childStats, code: cr.code, errors: sippErrors(cr) } },
    inviteRetrans: toParent.inviteRetrans + toChild.inviteRetrans,
    byes: { toParent: toParent.bye.length, fromChild: childBye.length },
    udpRcvbufErrors: udp1.RcvbufErrors - udp0.RcvbufErrors,
    windowSeconds: r1((end.t - start.t) / 1000, 2),
    cpuSeconds: r1(cpuS, 2), cpuMsPerCall: r1((cpuS * 1000) / Math.max(ok, 1), 3),
    threadCpuSeconds: threads,
    // Signalling: the loop (SIP, REST, webhooks, TwiML, <Dial>) and the store writer that persists
    // every state change; media: the RTP threads. Threads are told apart by name.
    signallingMsPerCall: r1((threadSum(threads, (n) => n.startsWith('main:') || n.endsWith(':sb-store')) * 1000) / Math.max(ok, 1), 3),
    loopMsPerCall: r1((threadSum(threads, (n) => n.startsWith('main:')) * 1000) / Math.max(ok, 1), 3),
    mediaMsPerCall: r1((threadSum(threads, (n) => n.includes(':sb-media-')) * 1000) / Math.max(ok, 1), 3),
    clientCpuSeconds: r1((self1.user + self1.system) / 1e6, 2),
    sippCpuSeconds: r1((sippCpu.at(lastBye + 300).v - sippCpu.before(created.t0).v) / HZ, 2),
    loadavg: [load0, load1],
    // The server's overload episodes (calls.overload_lag_ms): when new calls were held back.
    overload: sb.logLines(/overload/).map((l) => l.replace(/^.*?(overload)/, '$1')).slice(0, 20),
  };
  while (cleanups.length > mark) { const c = cleanups.pop(); try { await c(); } catch { /* */ } }
  fs.rmSync(sb.dataDir, { recursive: true, force: true });
  return result;
}

// --- one Kamailio run -------------------------------------------------------------------------
let kamailioBin;
function findKamailio() {
  try { return execFileSync('sh', ['-c', 'command -v kamailio'], { encoding: 'utf8' }).trim(); } catch { /* */ }
  console.error('installing kamailio with apt-get');
  execFileSync('apt-get', ['install', '-y', 'kamailio'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return execFileSync('sh', ['-c', 'command -v kamailio'], { encoding: 'utf8' }).trim();
}

async function runKamailio(rate, work) {
  const mark = cleanups.length;
  const dir = fs.mkdtempSync(path.join(work, 'kam-'));
  const sippWait = RUN_TIMEOUT_MS - 15000;
  const uas = await startSipp({ scenario: 'uas', calls: CALLS, timeoutMs: sippWait,
    extraArgs: ['-buff_size', BUFF, '-trace_stat', '-stf', path.join(dir, 'uas.csv'), '-fd', '1'] });
  cleanups.push(() => uas.stop());
  const kamPort = await freeUdpPort();
  fs.mkdirSync(path.join(dir, 'rt'));
  const kam = spawn(kamailioBin, ['-f', path.join(__dirname, 'kamailio-proxy.cfg'), '-DD', '-E',
    '-A', `DEST="sip:127.0.0.1:${uas.port}"`, '-l', `udp:127.0.0.1:${kamPort}`, '-n', String(KAM_CHILDREN),
    '-P', path.join(dir, 'kamailio.pid'), '-Y', path.join(dir, 'rt'), '-m', '256', '-M', '16'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let kamErr = '';
  kam.stderr.on('data', (d) => { kamErr = (kamErr + d).slice(-20000); });
  cleanups.push(() => stopProc(kam));
  // Ready when its UDP port is bound (kamailio's workers fork first).
  for (let i = 0; ; i++) {
    if (kam.exitCode !== null) throw new Error(`kamailio exited: ${kamErr}`);
    const bound = await new Promise((resolve) => {
      const s = require('node:dgram').createSocket('udp4');
      s.on('error', () => resolve(true));
      s.bind(kamPort, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (bound) break;
    if (i > 100) throw new Error(`kamailio did not start: ${kamErr}`);
    await sleep(100);
  }
  await sleep(500);
  const pcap = path.join(dir, 'sip.pcap');
  const cap = await startCapture(pcap, `udp and port ${uas.port}`, 1500);
  const load0 = loadavg();
  const udp0 = udpCounters();
  const cpu = sampler(() => treeTicks(kam.pid));
  const t0 = now();
  const uac = await startSipp({ scenario: 'uac', remote: `127.0.0.1:${kamPort}`, calls: CALLS, timeoutMs: sippWait,
    extraArgs: ['-r', String(rate), '-d', String(HOLD_MS), '-buff_size', BUFF, '-trace_stat', '-stf', path.join(dir, 'uac.csv'), '-fd', '1'] });
  cleanups.push(() => uac.stop());
  const sippCpu = sampler(() => ticks(uac.proc.pid) + ticks(uas.proc.pid));
  const [ar, sr] = await Promise.all([sippDone(uac, sippWait), sippDone(uas, sippWait)]);
  cpu.stop(); sippCpu.stop();
  const udp1 = udpCounters();
  const load1 = loadavg();
  await cap.stop();
  const ev = sipEvents(pcap, kamPort, uas.port);
  const lastBye = ev.bye[ev.bye.length - 1] ?? now();
  const start = cpu.before(t0), end = cpu.at(lastBye + 300);
  const uacStats = sippStats(path.join(dir, 'uac.csv'));
  const ok = uacStats.ok;
  const cpuS = (end.v - start.v) / HZ;
  const result = {
    server: 'kamailio', rate, calls: CALLS, holdMs: HOLD_MS, children: KAM_CHILDREN,
    endedPerSecond: r1(spanRate(ev.bye)), endToEndPerSecond: r1(ev.bye.length / ((lastBye - t0) / 1000)),
    invitesPerSecond: r1(spanRate(ev.inv)),
    failures: CALLS - (Number.isFinite(ok) ? ok : 0),
    sipp: { uac: { ...uacStats, code: ar.code, errors: sippErrors(ar) }, uas: { ...sippStats(path.join(dir, 'uas.csv')), code: sr.code, errors: sippErrors(sr) } },
    inviteRetrans: ev.inviteRetrans, byes: ev.bye.length,
    udpRcvbufErrors: udp1.RcvbufErrors - udp0.RcvbufErrors,
    windowSeconds: r1((end.t - start.t) / 1000, 2),
    cpuSeconds: r1(cpuS, 2), cpuMsPerCall: r1((cpuS * 1000) / Math.max(ok || 0, 1), 3),
    sippCpuSeconds: r1((sippCpu.at(lastBye + 300).v - sippCpu.before(t0).v) / HZ, 2),
    loadavg: [load0, load1],
  };
  while (cleanups.length > mark) { const c = cleanups.pop(); try { await c(); } catch { /* */ } }
  return result;
}

// --- one audio run ----------------------------------------------------------------------------
async function runAudio(conc, work) {
  const mark = cleanups.length;
  const rate = Number(process.env.AUDIO_RATE || Math.max(25, conc / 2));
  const sb = await startSwitchboard({ config: SB_CONFIG, rtpPorts: RTP_PORTS, logLevel: 'warn' });
  cleanups.push(() => sb.stop());
  const sippWait = RUN_TIMEOUT_MS - 15000;
  const dir = fs.mkdtempSync(path.join(work, 'audio-'));
  const parent = await startSipp({ scenario: 'uas', calls: conc, timeoutMs: sippWait,
    extraArgs: ['-rtp_echo', '-buff_size', BUFF, '-trace_stat', '-stf', path.join(dir, 'parent.csv'), '-fd', '1'] });
  cleanups.push(() => parent.stop());
  const child = await startSipp({ scenario: scenario('uas_play_bye.xml'), calls: conc, timeoutMs: sippWait,
    extraArgs: ['-d', String(AUDIO_HOLD_MS), '-buff_size', BUFF, '-trace_stat', '-stf', path.join(dir, 'child.csv'), '-fd', '1'] });
  cleanups.push(() => child.stop());
  const hook = await startWebhook(child.port);
  const pcap = path.join(dir, 'media.pcap');
  // 96 bytes: headers, the RTP header, and the first bytes of a SIP message (its method).
  const cap = await startCapture(pcap,
    `udp and (port ${parent.mediaPort} or port ${child.mediaPort} or port ${parent.port} or port ${child.port})`, 96);
  const client = sb.client();
  const load0 = loadavg();
  const udp0 = udpCounters();
  const cpu = sampler(() => ticks(sb.proc.pid));
  const created = await createCalls(client, conc, rate, `sip:a@127.0.0.1:${parent.port}`, `http://127.0.0.1:${hook.port}/voice`);
  const [pr, cr] = await Promise.all([sippDone(parent, sippWait), sippDone(child, sippWait)]);
  cpu.stop();
  const udp1 = udpCounters();
  const load1 = loadavg();
  await cap.stop();

  const calls = await client.calls.list({ pageSize: 1000, limit: 2 * conc + 10 });
  const completed = calls.filter((c) => c.status === 'completed').length;
  // Count RTP per direction, and the relayed packets (switchboard -> sipp media ports) per 100 ms.
  const n = { childSent: 0, toParent: 0, parentSent: 0, toChild: 0 };
  const relayedAt = [];
  let firstByeToParent = Infinity, lastByeToParent = 0;
  for (const p of packets(pcap)) {
    if (p.sport === child.mediaPort) n.childSent++;
    else if (p.dport === parent.mediaPort) { n.toParent++; relayedAt.push(p.t); }
    else if (p.sport === parent.mediaPort) n.parentSent++;
    else if (p.dport === child.mediaPort) { n.toChild++; relayedAt.push(p.t); }
    else if (p.sport === sb.sipPort && p.dport === parent.port && p.text.startsWith('BYE ')) {
      firstByeToParent = Math.min(firstByeToParent, p.t); lastByeToParent = Math.max(lastByeToParent, p.t);
    }
  }
  relayedAt.sort((a, b) => a - b);
  // Steady window: from 0.5 s after the last child answered to 0.5 s before the first call's
  // audio ends (sip-tester's g711a.pcap lasts ~7 s) or the first BYE.
  const lastInvite200 = lastAnswerBefore(pcap, child.port, sb.sipPort, firstByeToParent);
  const winFrom = lastInvite200 + 500;
  const winTo = Math.min(created.t0 + 6500, firstByeToParent - 500);
  let relayedInWindow = 0;
  for (const t of relayedAt) if (t >= winFrom && t < winTo) relayedInWindow++;
  const a = cpu.at(winFrom), b = cpu.before(winTo);
  const winS = (b.t - a.t) / 1000;
  const winCpuS = (b.v - a.v) / HZ;
  const whole0 = cpu.before(created.t0), whole1 = cpu.at(lastByeToParent + 300);
  const wholeCpuS = (whole1.v - whole0.v) / HZ;
  const relayedTotal = n.toParent + n.toChild;
  const result = {
    concurrency: conc, rate, holdMs: AUDIO_HOLD_MS, completed, listed: calls.length,
    createErrors: created.errors,
    sipp: { parent: { ...sippStats(path.join(dir, 'parent.csv')), code: pr.code }, child: { ...sippStats(path.join(dir, 'child.csv')), code: cr.code } },
    rtp: n,
    lossChildToParentPct: r1(100 * (1 - n.toParent / n.childSent), 3),
    lossParentToChildPct: r1(100 * (1 - n.toChild / n.parentSent), 3),
    udpRcvbufErrors: udp1.RcvbufErrors - udp0.RcvbufErrors,
    window: { seconds: r1(winS, 2), relayed: relayedInWindow, relayedPerSecond: r1(relayedInWindow / ((winTo - winFrom) / 1000), 0),
      cpuSeconds: r1(winCpuS, 2), usPerRelayedPacket: r1((winCpuS * 1e6) / Math.max(relayedInWindow, 1), 2),
      corePctPer100Calls: r1((100 * winCpuS) / Math.max(winS, 1e-9) / (conc / 100), 2) },
    whole: { seconds: r1((whole1.t - whole0.t) / 1000, 2), cpuSeconds: r1(wholeCpuS, 2), relayed: relayedTotal,
      usPerRelayedPacket: r1((wholeCpuS * 1e6) / Math.max(relayedTotal, 1), 2) },
    loadavg: [load0, load1],
  };
  while (cleanups.length > mark) { const c = cleanups.pop(); try { await c(); } catch { /* */ } }
  fs.rmSync(sb.dataDir, { recursive: true, force: true });
  return result;
}

// The time of the last 200 OK from the child UAS before `before` (its answers to INVITEs; the
// 200s to BYEs all come later).
function lastAnswerBefore(file, from, to, before) {
  let last = 0;
  for (const p of packets(file)) {
    if (p.proto === 17 && p.sport === from && p.dport === to && p.t < before && p.text.startsWith('SIP/2.0 200')) last = Math.max(last, p.t);
  }
  return last;
}

// --- main -------------------------------------------------------------------------------------
function median(xs) {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-dial-'));
  cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));
  const budget = (AUDIO ? CONCURRENCY.length : RATES.length * ROUNDS * ((KAMAILIO ? 1 : 0) + (SWITCHBOARD ? 1 : 0))) * RUN_TIMEOUT_MS + 60000;
  const deadline = setTimeout(() => { console.error('run timeout'); cleanup().then(() => process.exit(2)); }, budget);
  process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
  process.on('SIGTERM', () => cleanup().then(() => process.exit(143)));
  const cpuModel = (/model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8')) || [])[1];
  const rev = (() => { try { return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { return '?'; } })();
  console.log(`# ${new Date().toISOString()} switchboard ${rev}; nproc=${os.cpus().length}; ${cpuModel}; ${os.release()}; load ${loadavg()}`);
  try {
    if (AUDIO) {
      console.log(`# AUDIO=1 CONCURRENCY="${CONCURRENCY.join(' ')}" AUDIO_HOLD_MS=${AUDIO_HOLD_MS}`);
      for (const c of CONCURRENCY) {
        const r = await runAudio(c, work);
        console.log(JSON.stringify(r));
      }
      return;
    }
    if (KAMAILIO) kamailioBin = findKamailio();
    console.log(`# CALLS=${CALLS} RATES="${RATES.join(' ')}" ROUNDS=${ROUNDS} HOLD_MS=${HOLD_MS} KAM_CHILDREN=${KAM_CHILDREN} REALTIME=${REALTIME} COMMIT_DELAY_MS=${COMMIT_DELAY_MS}` +
      (KAMAILIO ? `; ${execFileSync(kamailioBin, ['-v'], { encoding: 'utf8' }).split('\n')[0]}` : ''));
    for (const rate of RATES) {
      const sbRuns = [], kamRuns = [];
      for (let round = 0; round < ROUNDS; round++) {
        if (SWITCHBOARD) { const s = await runSwitchboard(rate, work); sbRuns.push(s); console.log(JSON.stringify(s)); }
        if (KAMAILIO) { const k = await runKamailio(rate, work); kamRuns.push(k); console.log(JSON.stringify(k)); }
      }
      const m = (runs, key) => median(runs.map((r) => r[key]));
      const line = { summary: true, rate, calls: CALLS, rounds: ROUNDS };
      if (SWITCHBOARD) {
        line.switchboard = { endedPerSecond: m(sbRuns, 'endedPerSecond'), cpuMsPerCall: m(sbRuns, 'cpuMsPerCall'),
          failures: sbRuns.map((r) => r.failures), cpuMsPerCallRuns: sbRuns.map((r) => r.cpuMsPerCall),
          signallingMsPerCall: m(sbRuns, 'signallingMsPerCall'), loopMsPerCall: m(sbRuns, 'loopMsPerCall'),
          mediaMsPerCall: m(sbRuns, 'mediaMsPerCall'), clientCpuSeconds: m(sbRuns, 'clientCpuSeconds') };
      }
      if (KAMAILIO) {
        line.kamailio = { endedPerSecond: m(kamRuns, 'endedPerSecond'), cpuMsPerCall: m(kamRuns, 'cpuMsPerCall'),
          failures: kamRuns.map((r) => r.failures), cpuMsPerCallRuns: kamRuns.map((r) => r.cpuMsPerCall),
          sippCpuSeconds: m(kamRuns, 'sippCpuSeconds') };
      }
      if (SWITCHBOARD && KAMAILIO) {
        line.ratioCpuPerCall = r1(line.switchboard.cpuMsPerCall / line.kamailio.cpuMsPerCall, 2);
        line.ratioSignallingPerCall = r1(line.switchboard.signallingMsPerCall / line.kamailio.cpuMsPerCall, 2);
        line.ratioLoopPerCall = r1(line.switchboard.loopMsPerCall / line.kamailio.cpuMsPerCall, 2);
      }
      console.log(JSON.stringify(line));
    }
  } finally {
    clearTimeout(deadline);
    await cleanup();
  }
}

// Exit once done: keep-alive sockets of the REST client and the webhook must not hold the process.
main().then(() => process.exit(0), async (e) => { console.error(e); await cleanup(); process.exit(1); });
