#!/usr/bin/env node
'use strict';
// Inbound calls per second into a SIP domain (issue 7, second half): a sipp UAC calls
// `sip:100@bench.sip.switchboard.local` at switchboard's SIP port; the domain's IP access control
// list admits 127.0.0.0/8 and its VoiceUrl answers <Response><Hangup/></Response>, so each call
// is INVITE, 100/180, 200, ACK, then switchboard's BYE and sipp's 200. Kamailio, in the same run,
// proxies the same load as the comparison.
//
//   node bench/inbound.js                               # 2000 calls at 100, 200 and 400/s, 3 rounds
//   CALLS=1000 RATES="100 400" ROUNDS=1 node bench/inbound.js
//   KAMAILIO=0 RATES=200 node bench/inbound.js          # switchboard only
//
// Per round and rate, alternately:
//   switchboard: a fresh server (build/release, `[calls] calls_per_second = 10000`, log level
//     warn, --rtp-ports 61000-64999); twilio-node creates the IP access control list (one range,
//     127.0.0.0/8), the domain bench.sip.switchboard.local (VoiceUrl: a local keep-alive Node
//     webhook that answers <Hangup/>) and the domain's Auth/Calls mapping to the list. Then
//     `sipp -sf bench/uac_domain_hangup.xml -key domain bench.sip.switchboard.local -s 100
//     -r RATE -m CALLS` (no credentials: the address is in the list, so no 407). The e2e
//     tests' uac_domain_call.xml cannot be used: its BYE step sits behind a jump, and sipp
//     aborts every call whose BYE arrives right after the ACK (see the scenario's comment).
//   Kamailio: a fresh `kamailio -f bench/kamailio-proxy.cfg -DD -E -n KAM_CHILDREN` (stateful,
//     record-routing) between `sipp -sn uac -r RATE -d 0 -m CALLS` and `sipp -sn uas`: the same
//     seven messages per call, relayed (the UAC hangs up instead of the server).
// Reported per run: calls that ended per second (BYE span: (n-1) / (first .. last BYE on the
// wire; switchboard -> UAC, Kamailio -> UAS)), the INVITE rate, sipp's successful and failed calls
// and its error kinds, INVITE and BYE retransmissions, the Calls API's final statuses (switchboard),
// calls left unfinished, the drops counted on switchboard's SIP socket, the server's CPU per
// successful call (utime+stime from /proc, Kamailio summed over its processes) from sipp's start
// to 300 ms after the last BYE, switchboard's CPU by thread, this process's CPU (the webhook),
// sipp's, the system's UDP receive-buffer drops and the load average. Then the medians and the
// ratio switchboard/Kamailio of CPU per call.
//
// SIP timing comes from a packet capture of this run's ports (dumpcap, kernel timestamps). Needs
// build/release/switchboard, sipp, dumpcap, tests/e2e/node_modules, and kamailio (installed with
// apt-get when missing). Everything runs on 127.0.0.1; each run is bounded (sipp -timeout, then
// SIGKILL; RUN_TIMEOUT_MS, default CALLS/RATE + 25 s, at most 55 s); every process started here
// is stopped on exit and the temporary directories are removed.

const { spawn, execFileSync } = require('node:child_process');
const dgram = require('node:dgram');
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
const CALLS = bounded('CALLS', 2000, 1, 20000);
const RATES = list('RATES', process.env.RATE || '100 200 400');
const ROUNDS = bounded('ROUNDS', 3, 1, 10);
const KAM_CHILDREN = bounded('KAM_CHILDREN', 4, 1, 64);
const KAMAILIO = process.env.KAMAILIO !== '0';
const RTP_PORTS = process.env.RTP_PORTS || '61000-64999';
const DOMAIN = 'bench.sip.switchboard.local';
const BUFF = '8388608';
const HZ = 100; // CLK_TCK on Linux x86-64
for (const r of RATES) if (!(r > 0 && r <= 5000)) throw new Error('RATES must be within 1..5000');
// Per run: the calls' own duration plus 25 s of slack, at most 55 s (sipp's -timeout is 5 s less).
const runTimeout = (rate) => process.env.RUN_TIMEOUT_MS
  ? bounded('RUN_TIMEOUT_MS', 0, 10000, 300000) : Math.min(55000, Math.ceil((CALLS / rate) * 1000) + 25000);

const now = () => performance.timeOrigin + performance.now(); // ms since the epoch
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r1 = (x, d = 1) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);

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
const treeTicks = (pid) => ticks(pid) + children(pid).reduce((s, c) => s + treeTicks(c), 0);
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
function udpRcvbufErrors() {
  const lines = fs.readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const k = lines[0].split(/\s+/), v = lines[1].split(/\s+/).map(Number);
  return v[k.indexOf('RcvbufErrors')];
}
// The drops counter of the UDP sockets bound to 127.0.0.1:`port` (/proc/net/udp, last column).
function socketDrops(port) {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const line of fs.readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local) n += Number(f[f.length - 1]);
  }
  return n;
}
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

// Samples a CPU counter every 100 ms; at(t): the first sample at or after t; before(t): the last
// at or before t.
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
async function unwind(mark) {
  while (cleanups.length > mark) { const c = cleanups.pop(); try { await c(); } catch { /* best effort */ } }
}
function stopProc(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const k = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.on('exit', () => { clearTimeout(k); resolve(); });
    proc.kill('SIGTERM');
  });
}

async function startCapture(file, filter) {
  const cap = spawn('dumpcap', ['-q', '-i', 'lo', '-P', '-s', '1500', '-B', '128', '-f', filter, '-w', file],
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

async function startSipp(options) {
  const sipp = await sippLib.startSipp(options);
  cleanups.push(() => fs.rmSync(sipp.workDir, { recursive: true, force: true }));
  cleanups.push(() => sipp.stop());
  return sipp;
}
async function sippDone(sipp, ms) {
  const r = await Promise.race([sipp.done, sleep(ms).then(() => null)]);
  return r || sipp.stop();
}
// sipp's aborted calls from its error log, counted by kind.
function sippErrors(result) {
  const kinds = {};
  for (const m of (result.errors || '').matchAll(/^\S+\t\S+\t[\d.]+: (.*)$/gm)) {
    const k = m[1].replace(/ for Call-Id '[^']*'/, '').replace(/^Dead call \S+/, 'Dead call').replace(/(received '\S+).*/, "$1'").slice(0, 100);
    kinds[k] = (kinds[k] || 0) + 1;
  }
  return kinds;
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

// Requests `from` port -> `to` port in a capture: the first INVITE and first BYE of each Call-ID
// (times) and how many were repeats (retransmissions).
function sipEvents(file, from, to) {
  const first = { INVITE: [], BYE: [] }, seen = { INVITE: new Set(), BYE: new Set() }, repeats = { INVITE: 0, BYE: 0 };
  for (const p of packets(file)) {
    if (p.proto !== 17 || p.sport !== from || p.dport !== to) continue;
    const method = p.text.startsWith('INVITE ') ? 'INVITE' : p.text.startsWith('BYE ') ? 'BYE' : null;
    if (!method) continue;
    const m = /\nCall-ID:\s*(\S+)/i.exec(p.text);
    const id = m ? m[1] : `${p.t}`;
    if (seen[method].has(id)) repeats[method]++; else { seen[method].add(id); first[method].push(p.t); }
  }
  return { inv: first.INVITE, bye: first.BYE, inviteRetrans: repeats.INVITE, byeRetrans: repeats.BYE };
}
const spanRate = (ts) => (ts.length > 1 ? (ts.length - 1) / ((ts[ts.length - 1] - ts[0]) / 1000) : NaN);

// The domain's VoiceUrl: <Hangup/> for every request; the status callback is not set.
async function startWebhook() {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    });
  });
  server.keepAliveTimeout = 60000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
  return { port: server.address().port, requests: () => requests };
}

// --- one switchboard run ----------------------------------------------------------------------
async function runSwitchboard(rate, work) {
  const mark = cleanups.length;
  const timeoutMs = runTimeout(rate);
  const sb = await startSwitchboard({ config: '[calls]\ncalls_per_second = 10000\n', rtpPorts: RTP_PORTS, logLevel: 'warn' });
  cleanups.push(() => fs.rmSync(sb.dataDir, { recursive: true, force: true }));
  cleanups.push(() => sb.stop());
  const hook = await startWebhook();
  const client = sb.client();
  const acl = await client.sip.ipAccessControlLists.create({ friendlyName: 'bench' });
  await client.sip.ipAccessControlLists(acl.sid).ipAddresses.create({ friendlyName: 'loopback', ipAddress: '127.0.0.0', cidrPrefixLength: 8 });
  const domain = await client.sip.domains.create({ domainName: DOMAIN, voiceUrl: `http://127.0.0.1:${hook.port}/voice` });
  await client.sip.domains(domain.sid).auth.calls.ipAccessControlListMappings.create({ ipAccessControlListSid: acl.sid });

  const dir = fs.mkdtempSync(path.join(work, 'sb-'));
  const uacPort = await freeUdpPort();
  const pcap = path.join(dir, 'sip.pcap');
  const cap = await startCapture(pcap, `udp and port ${uacPort}`);
  const load0 = loadavg();
  const drops0 = udpRcvbufErrors();
  const sipDrops0 = socketDrops(sb.sipPort);
  const cpu = sampler(() => ticks(sb.proc.pid));
  const threads0 = threadTicks(sb.proc.pid);
  const self0 = process.cpuUsage();
  const t0 = now();
  const uac = await startSipp({ scenario: path.join(__dirname, 'uac_domain_hangup.xml'), remote: `127.0.0.1:${sb.sipPort}`,
    port: uacPort, calls: CALLS, timeoutMs: timeoutMs - 5000,
    extraArgs: ['-key', 'domain', DOMAIN, '-s', '100', '-r', String(rate), '-buff_size', BUFF,
      '-trace_stat', '-stf', path.join(dir, 'uac.csv'), '-fd', '1'] });
  const sippCpu = sampler(() => ticks(uac.proc.pid));
  const ur = await sippDone(uac, timeoutMs);
  const tEnd = now();
  cpu.stop(); sippCpu.stop();
  const self1 = process.cpuUsage(self0);
  const threads1 = threadTicks(sb.proc.pid);
  const drops1 = udpRcvbufErrors();
  const sipDrops1 = socketDrops(sb.sipPort);
  const load1 = loadavg();
  await cap.stop();

  const ev = sipEvents(pcap, sb.sipPort, uacPort);
  const invites = sipEvents(pcap, uacPort, sb.sipPort);
  const lastBye = ev.bye[ev.bye.length - 1] ?? tEnd;
  const start = cpu.before(t0), end = cpu.at(lastBye + 300);
  const stats = sippStats(path.join(dir, 'uac.csv'));
  const ok = Number.isFinite(stats.ok) ? stats.ok : 0;
  const cpuS = (end.v - start.v) / HZ;
  const threads = {};
  for (const [k, v] of Object.entries(threads1)) {
    const d = (v - (threads0[k] || 0)) / HZ;
    if (d > 0) threads[k] = r1(d, 2);
  }
  // The Calls API after the run: final statuses, and calls still not finished.
  await sleep(500);
  const calls = await client.calls.list({ pageSize: 1000, limit: CALLS + 100 });
  const statuses = {};
  for (const c of calls) statuses[c.status] = (statuses[c.status] || 0) + 1;
  const unfinished = calls.filter((c) => ['queued', 'ringing', 'in-progress'].includes(c.status)).length;
  const result = {
    server: 'switchboard', rate, calls: CALLS,
    endedPerSecond: r1(spanRate(ev.bye)), invitesPerSecond: r1(spanRate(invites.inv)),
    endToEndPerSecond: r1(ev.bye.length / ((lastBye - t0) / 1000)),
    failures: CALLS - ok,
    sipp: { ...stats, code: ur.code, errors: sippErrors(ur) },
    inviteRetrans: invites.inviteRetrans, byes: ev.bye.length, byeRetrans: ev.byeRetrans,
    webhookRequests: hook.requests(), statuses, listed: calls.length, unfinished,
    udpRcvbufErrors: drops1 - drops0, sipSocketDrops: sipDrops1 - sipDrops0,
    windowSeconds: r1((end.t - start.t) / 1000, 2),
    cpuSeconds: r1(cpuS, 2), cpuMsPerCall: r1((cpuS * 1000) / Math.max(ok, 1), 3),
    threadCpuSeconds: threads,
    webhookCpuSeconds: r1((self1.user + self1.system) / 1e6, 2),
    sippCpuSeconds: r1((sippCpu.at(lastBye + 300).v - sippCpu.before(t0).v) / HZ, 2),
    loadavg: [load0, load1],
  };
  await unwind(mark);
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
  const timeoutMs = runTimeout(rate);
  const dir = fs.mkdtempSync(path.join(work, 'kam-'));
  const uas = await startSipp({ scenario: 'uas', calls: CALLS, timeoutMs: timeoutMs + 5000,
    extraArgs: ['-buff_size', BUFF, '-trace_stat', '-stf', path.join(dir, 'uas.csv'), '-fd', '1'] });
  const kamPort = await freeUdpPort();
  fs.mkdirSync(path.join(dir, 'rt'));
  const kam = spawn(kamailioBin, ['-f', path.join(__dirname, 'kamailio-proxy.cfg'), '-DD', '-E',
    '-A', `DEST="sip:127.0.0.1:${uas.port}"`, '-l', `udp:127.0.0.1:${kamPort}`, '-n', String(KAM_CHILDREN),
    '-P', path.join(dir, 'kamailio.pid'), '-Y', path.join(dir, 'rt'), '-m', '256', '-M', '16'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let kamErr = '';
  kam.stderr.on('data', (d) => { kamErr = (kamErr + d).slice(-20000); });
  cleanups.push(() => stopProc(kam));
  for (let i = 0; ; i++) { // ready when its UDP port is bound
    if (kam.exitCode !== null) throw new Error(`kamailio exited: ${kamErr}`);
    const bound = await new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      s.on('error', () => resolve(true));
      s.bind(kamPort, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (bound) break;
    if (i > 100) throw new Error(`kamailio did not start: ${kamErr}`);
    await sleep(100);
  }
  await sleep(500);
  const pcap = path.join(dir, 'sip.pcap');
  const cap = await startCapture(pcap, `udp and port ${uas.port}`);
  const load0 = loadavg();
  const drops0 = udpRcvbufErrors();
  const cpu = sampler(() => treeTicks(kam.pid));
  const t0 = now();
  const uac = await startSipp({ scenario: 'uac', remote: `127.0.0.1:${kamPort}`, calls: CALLS, timeoutMs: timeoutMs - 5000,
    extraArgs: ['-r', String(rate), '-d', '0', '-buff_size', BUFF, '-trace_stat', '-stf', path.join(dir, 'uac.csv'), '-fd', '1'] });
  const sippCpu = sampler(() => ticks(uac.proc.pid) + ticks(uas.proc.pid));
  const [ar, sr] = await Promise.all([sippDone(uac, timeoutMs), sippDone(uas, timeoutMs)]);
  const tEnd = now();
  cpu.stop(); sippCpu.stop();
  const drops1 = udpRcvbufErrors();
  const load1 = loadavg();
  await cap.stop();
  const ev = sipEvents(pcap, kamPort, uas.port);
  const lastBye = ev.bye[ev.bye.length - 1] ?? tEnd;
  const start = cpu.before(t0), end = cpu.at(lastBye + 300);
  const stats = sippStats(path.join(dir, 'uac.csv'));
  const ok = Number.isFinite(stats.ok) ? stats.ok : 0;
  const cpuS = (end.v - start.v) / HZ;
  const result = {
    server: 'kamailio', rate, calls: CALLS, children: KAM_CHILDREN,
    endedPerSecond: r1(spanRate(ev.bye)), invitesPerSecond: r1(spanRate(ev.inv)),
    endToEndPerSecond: r1(ev.bye.length / ((lastBye - t0) / 1000)),
    failures: CALLS - ok,
    sipp: { uac: { ...stats, code: ar.code, errors: sippErrors(ar) },
      uas: { ...sippStats(path.join(dir, 'uas.csv')), code: sr.code, errors: sippErrors(sr) } },
    inviteRetrans: ev.inviteRetrans, byes: ev.bye.length, byeRetrans: ev.byeRetrans,
    udpRcvbufErrors: drops1 - drops0,
    windowSeconds: r1((end.t - start.t) / 1000, 2),
    cpuSeconds: r1(cpuS, 2), cpuMsPerCall: r1((cpuS * 1000) / Math.max(ok, 1), 3),
    sippCpuSeconds: r1((sippCpu.at(lastBye + 300).v - sippCpu.before(t0).v) / HZ, 2),
    loadavg: [load0, load1],
  };
  await unwind(mark);
  return result;
}

// --- main -------------------------------------------------------------------------------------
function median(xs) {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-inbound-'));
  cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));
  const budget = RATES.reduce((s, r) => s + runTimeout(r) + 20000, 0) * ROUNDS * (KAMAILIO ? 2 : 1) + 30000;
  const deadline = setTimeout(() => { console.error('run timeout'); cleanup().then(() => process.exit(2)); }, budget);
  process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
  process.on('SIGTERM', () => cleanup().then(() => process.exit(143)));
  const cpuModel = (/model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8')) || [])[1];
  const rev = (() => { try { return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { return '?'; } })();
  console.log(`# ${new Date().toISOString()} switchboard ${rev}; nproc=${os.cpus().length}; ${cpuModel}; ${os.release()}; load ${loadavg()}`);
  try {
    if (KAMAILIO) kamailioBin = findKamailio();
    console.log(`# CALLS=${CALLS} RATES="${RATES.join(' ')}" ROUNDS=${ROUNDS} KAM_CHILDREN=${KAM_CHILDREN}` +
      (KAMAILIO ? `; ${execFileSync(kamailioBin, ['-v'], { encoding: 'utf8' }).split('\n')[0]}` : ''));
    for (const rate of RATES) {
      const sbRuns = [], kamRuns = [];
      for (let round = 0; round < ROUNDS; round++) {
        const s = await runSwitchboard(rate, work);
        sbRuns.push(s); console.log(JSON.stringify(s));
        if (KAMAILIO) { const k = await runKamailio(rate, work); kamRuns.push(k); console.log(JSON.stringify(k)); }
      }
      const m = (runs, key) => median(runs.map((r) => r[key]));
      const line = {
        summary: true, rate, calls: CALLS, rounds: ROUNDS,
        switchboard: { endedPerSecond: m(sbRuns, 'endedPerSecond'), cpuMsPerCall: m(sbRuns, 'cpuMsPerCall'),
          failures: sbRuns.map((r) => r.failures), unfinished: sbRuns.map((r) => r.unfinished),
          endedPerSecondRuns: sbRuns.map((r) => r.endedPerSecond), cpuMsPerCallRuns: sbRuns.map((r) => r.cpuMsPerCall) },
      };
      if (KAMAILIO) {
        line.kamailio = { endedPerSecond: m(kamRuns, 'endedPerSecond'), cpuMsPerCall: m(kamRuns, 'cpuMsPerCall'),
          failures: kamRuns.map((r) => r.failures), endedPerSecondRuns: kamRuns.map((r) => r.endedPerSecond),
          cpuMsPerCallRuns: kamRuns.map((r) => r.cpuMsPerCall) };
        line.ratioCpuPerCall = r1(line.switchboard.cpuMsPerCall / line.kamailio.cpuMsPerCall, 2);
      }
      console.log(JSON.stringify(line));
    }
  } finally {
    clearTimeout(deadline);
    await cleanup();
  }
}

main().catch(async (e) => { console.error(e); await cleanup(); process.exit(1); });
