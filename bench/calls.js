#!/usr/bin/env node
'use strict';
// Calls per second through the REST API, and switchboard's own share of each call's latency.
//
//   node bench/calls.js                       # 200 calls at 50/s
//   CALLS=400 RATE=100 node bench/calls.js
//
// switchboard (build/release, calls.calls_per_second = 1000, log level info
// as tests/e2e/lib/switchboard.js starts it) places CALLS calls,
// created with twilio-node at RATE per second, to a sipp UAS (built-in `uas` scenario: 180, 200,
// waits for BYE) on 127.0.0.1; a local webhook answers every call with <Response><Hangup/></Response>.
// Reported: calls/s achieved (first POST sent to the last call's BYE), failures (final status
// other than completed), switchboard's CPU per call (utime+stime from /proc/<pid>/stat), and from a
// packet capture on lo (dumpcap, kernel timestamps, only the four ports of this run):
//   A. POST in -> INVITE out: the packet completing the create POST (it carries the call's unique
//      To user) to the first INVITE packet for that user leaving switchboard;
//   B. 200 OK in -> webhook out: the first 200 OK to that INVITE (sipp -> switchboard) to the
//      first packet of the webhook request for that call (switchboard -> webhook server).
// TRACE=1 also records the scheduler's events (perf, as root) and reports, per path, switchboard's
// signalling thread's own CPU time in each sample and where the time of the samples over 1 ms went
// (bench/sched_trace.js; KEEP_TRACE=FILE keeps the perf data).
// Needs dumpcap (apt-get install -y tshark), sipp, tests/e2e/node_modules (npm ci in tests/e2e).
// Everything is bounded: sipp -m CALLS with a timeout, the whole run by RUN_TIMEOUT_MS.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const e2e = path.resolve(__dirname, '../tests/e2e');
const { startSwitchboard } = require(path.join(e2e, 'lib/switchboard'));
const { startSipp } = require(path.join(e2e, 'lib/sipp'));
const { packets } = require('./pcap');
const sched = require('./sched_trace');

const CALLS = Number(process.env.CALLS || 200);
const RATE = Number(process.env.RATE || 50);
const REALTIME = Number(process.env.REALTIME || 0); // realtime_priority of switchboard's signalling thread; 0: off
// TRACE=1: record the scheduler's events (perf) and say where the time of each sample went.
const TRACE = process.env.TRACE === '1';
const RUN_TIMEOUT_MS = Number(process.env.RUN_TIMEOUT_MS || 120000);
const now = () => performance.timeOrigin + performance.now(); // ms since the epoch, sub-ms

function ticks(pid) {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}
const HZ = 100; // CLK_TCK on Linux x86-64
// The "steal" column of /proc/stat's cpu line, in ticks.
const stealTicks = () => Number(fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/)[8]);

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const fmt = (ms) => (Number.isFinite(ms) ? `${(ms * 1000).toFixed(0)} µs` : 'n/a');
function summary(name, values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  return { name, n: v.length, p50: pct(v, 50), p90: pct(v, 90), p99: pct(v, 99), max: v[v.length - 1] };
}

// For A and B: the signalling thread's own CPU time in each sample (p50/p99), the samples with the
// time the hypervisor took removed, and for the samples over 1 ms where their time went.
function explain(events, tid, spans) {
  const out = {};
  for (const [name, list] of Object.entries(spans)) {
    const parts = list.map(([s, e]) => sched.breakdown(events, tid, s, e));
    const over = parts.filter((p) => p.wall > 1);
    const sum = (k) => over.reduce((acc, p) => acc + p[k], 0);
    const dominant = {};
    for (const p of over) {
      const k = ['ran', 'waited', 'slept', 'host'].reduce((x, y) => (p[y] > p[x] ? y : x));
      const key = k === 'waited' ? `waited (behind ${p.blocker || '?'})` : k;
      dominant[key] = (dominant[key] || 0) + 1;
    }
    const ran = summary('', parts.map((p) => p.ran));
    const withoutHost = summary('', parts.map((p) => p.wall - p.host));
    out[name.toUpperCase()] = {
      ownCpu: { p50: fmt(ran.p50), p99: fmt(ran.p99), max: fmt(ran.max) },
      withoutHostTime: { p50: fmt(withoutHost.p50), p99: fmt(withoutHost.p99), max: fmt(withoutHost.max) },
      over1ms: over.length,
      over1msTime: { ran: fmt(sum('ran')), waited: fmt(sum('waited')), slept: fmt(sum('slept')), host: fmt(sum('host')) },
      over1msMostlySpent: dominant,
    };
  }
  return out;
}

async function main() {
  const deadline = setTimeout(() => { console.error('run timeout'); process.exit(2); }, RUN_TIMEOUT_MS);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-calls-'));
  const cleanups = [];
  const cleanup = async () => { for (const c of cleanups.reverse()) { try { await c(); } catch {} } };
  process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
  try {
    // The webhook: <Hangup/> for the voice URL; records when each request's headers arrived.
    const hookSeen = new Map();
    const hook = http.createServer((req, res) => {
      const t = now();
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const to = new URLSearchParams(body).get('To') || '';
        hookSeen.set(to, t);
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
      });
    });
    hook.keepAliveTimeout = 30000;
    await new Promise((r) => hook.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => { hook.closeAllConnections(); hook.close(r); }));
    const hookPort = hook.address().port;

    const sb = await startSwitchboard({
      // tests/e2e/lib passes --log-level info, which wins over the config file's log_level.
      config: `${REALTIME ? `realtime_priority = ${REALTIME}\n` : ''}[calls]\ncalls_per_second = 1000\n`,
    });
    cleanups.push(() => sb.stop());
    const httpPort = Number(new URL(sb.baseUrl).port);
    const uas = await startSipp({ scenario: 'uas', calls: CALLS, timeoutMs: RUN_TIMEOUT_MS - 20000,
      extraArgs: ['-buff_size', '4194304'] });
    cleanups.push(() => uas.stop());

    const pcap = path.join(work, 'calls.pcap');
    const filter = `host 127.0.0.1 and (tcp port ${httpPort} or tcp port ${hookPort} or udp port ${sb.sipPort} or udp port ${uas.port})`;
    const cap = spawn('dumpcap', ['-q', '-i', 'lo', '-P', '-s', '2048', '-B', '64', '-f', filter, '-w', pcap],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let capErr = '';
    const capExit = new Promise((r) => cap.on('exit', r));
    cleanups.push(async () => { if (cap.exitCode === null) { cap.kill('SIGTERM'); await capExit; } });
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`dumpcap did not start: ${capErr}`)), 10000);
      cap.stderr.on('data', (d) => { capErr += d; if (/Capturing on/.test(capErr)) { clearTimeout(t); resolve(); } });
      cap.on('exit', () => reject(new Error(`dumpcap exited: ${capErr}`)));
    });
    await new Promise((r) => setTimeout(r, 300));

    const trace = TRACE ? await sched.startTrace(path.join(work, 'sched.data')) : undefined;
    if (trace) cleanups.push(() => trace.stop());
    const client = sb.client();
    const load0 = os.loadavg();
    const steal0 = stealTicks();
    const cpu0 = ticks(sb.proc.pid);
    const t0 = now();
    const sent = new Map(); // To user -> client send time
    const creates = [];
    let createErrors = 0;
    for (let i = 0; i < CALLS; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const user = `bench${i}x`;
      sent.set(user, now());
      creates.push(client.calls.create({
        to: `sip:${user}@127.0.0.1:${uas.port}`, from: 'bench', url: `http://127.0.0.1:${hookPort}/voice`,
      }).catch((e) => { createErrors++; return { error: e.message }; }));
    }
    const created = await Promise.all(creates);
    const tPosted = now();
    const sipp = await uas.done;
    const tSippDone = now();
    const cpu1 = ticks(sb.proc.pid);
    const load1 = os.loadavg();
    const steal1 = stealTicks();
    await new Promise((r) => setTimeout(r, 500));
    cap.kill('SIGTERM');
    await capExit;
    const traceLost = trace ? await trace.stop() : '';

    // Final states through the API (after the measurement window).
    const calls = await client.calls.list({ pageSize: 1000, limit: CALLS * 2 });
    const byStatus = {};
    for (const c of calls) byStatus[c.status] = (byStatus[c.status] || 0) + 1;

    // Packet analysis.
    const userRe = /bench(\d+)x/;
    const ev = new Map(); // user -> { post, invite, ok, hook, bye }
    const get = (u) => { if (!ev.has(u)) ev.set(u, {}); return ev.get(u); };
    const reqStart = new Map(); // tcp 4-tuple -> time of the last segment starting a request
    let firstPost = Infinity, lastBye = 0;
    for (const p of packets(pcap)) {
      const key = `${p.sport}>${p.dport}`;
      if (p.proto === 6 && /^(POST|GET) /.test(p.text)) reqStart.set(key, p.t);
      const m = userRe.exec(p.text);
      if (!m) continue;
      const e = get(`bench${m[1]}x`);
      if (p.proto === 6 && p.dport === httpPort) {
        if (e.post === undefined) { e.post = p.t; firstPost = Math.min(firstPost, p.t); }
      } else if (p.proto === 6 && p.dport === hookPort) {
        if (e.hook === undefined) e.hook = reqStart.get(key) ?? p.t;
      } else if (p.proto === 17 && p.sport === sb.sipPort && p.dport === uas.port) {
        if (p.text.startsWith('INVITE ') && e.invite === undefined) e.invite = p.t;
        if (p.text.startsWith('BYE ') && e.bye === undefined) { e.bye = p.t; lastBye = Math.max(lastBye, p.t); }
      } else if (p.proto === 17 && p.sport === uas.port && p.dport === sb.sipPort) {
        if (p.text.startsWith('SIP/2.0 200') && /\nCSeq:\s*\d+ INVITE/i.test(p.text) && e.ok === undefined) e.ok = p.t;
      }
    }
    // DUMP=FILE: each call's packet times (s since the epoch), to line them up with other traces.
    if (process.env.DUMP) fs.writeFileSync(process.env.DUMP, JSON.stringify([...ev].map(([u, e]) => ({ user: u, ...e }))));
    const a = [], b = [], clientToWire = [], webhookRecv = [];
    const spans = { a: [], b: [] };  // [start, end] of each sample, for the trace
    for (const [u, e] of ev) {
      if (e.post !== undefined && e.invite !== undefined) { a.push(e.invite - e.post); spans.a.push([e.post, e.invite]); }
      if (e.ok !== undefined && e.hook !== undefined) { b.push(e.hook - e.ok); spans.b.push([e.ok, e.hook]); }
      if (sent.has(u) && e.post !== undefined) clientToWire.push(e.post - sent.get(u));
      if (hookSeen.has(`sip:${u}@127.0.0.1:${uas.port}`) && e.hook !== undefined) {
        webhookRecv.push(hookSeen.get(`sip:${u}@127.0.0.1:${uas.port}`) - e.hook);
      }
    }
    const wall = (lastBye || tSippDone) - (Number.isFinite(firstPost) ? firstPost : t0);
    const completed = byStatus.completed || 0;
    const cpuS = (cpu1 - cpu0) / HZ;
    const rows = [summary('A: POST in -> INVITE out', a), summary('B: 200 OK in -> webhook out', b),
      summary('(client send -> POST on the wire)', clientToWire),
      summary('(webhook on the wire -> Node request event)', webhookRecv)];
    const result = {
      date: new Date().toISOString(), calls: CALLS, targetRate: RATE, realtimePriority: REALTIME,
      achievedCallsPerSecond: Number((CALLS / (wall / 1000)).toFixed(1)),
      wallSeconds: Number((wall / 1000).toFixed(2)),
      createRateSeconds: Number(((tPosted - t0) / 1000).toFixed(2)),
      createErrors, statuses: byStatus, failures: CALLS - completed,
      sipp: { code: sipp.code, errors: sipp.errors.split('\n').filter(Boolean).length },
      cpuSeconds: cpuS, cpuMsPerCall: Number(((cpuS * 1000) / CALLS).toFixed(2)),
      loadavgBefore: load0.map((x) => x.toFixed(2)).join(' '), loadavgAfter: load1.map((x) => x.toFixed(2)).join(' '),
      // CPU time the hypervisor gave to others while this VM's vCPUs wanted it (all CPUs, during
      // the calls): each tick of it is a pause that no process here could run through.
      stealSeconds: (steal1 - steal0) / HZ,
      latency: rows.map((r) => ({ ...r, p50: fmt(r.p50), p90: fmt(r.p90), p99: fmt(r.p99), max: fmt(r.max) })),
    };
    if (trace) {
      result.trace = explain(sched.loadTrace(path.join(work, 'sched.data')), sb.proc.pid, spans);
      if (traceLost) result.trace.lost = traceLost;
    }
    console.log(JSON.stringify(result, null, 2));
    if (process.env.KEEP_PCAP) { fs.copyFileSync(pcap, process.env.KEEP_PCAP); }
    if (trace && process.env.KEEP_TRACE) { fs.copyFileSync(path.join(work, 'sched.data'), process.env.KEEP_TRACE); }
    void created;
  } finally {
    await cleanup();
    fs.rmSync(work, { recursive: true, force: true });
    clearTimeout(deadline);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
