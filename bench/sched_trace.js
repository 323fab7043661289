'use strict';
// Where the time of a latency sample went, from the kernel's scheduler events (perf, all CPUs):
// for one thread (switchboard's signalling thread) over an interval, how long it
//   ran      - CPU time the kernel charged it (sched_stat_runtime; with paravirt time accounting,
//              as on this VM, time the hypervisor took from the vCPU is not charged),
//   waited   - runnable, but another task had the CPU,
//   slept    - blocked (e.g. in epoll_wait: the request had not reached it yet),
//   host     - the rest: the thread was on a vCPU that the hypervisor was not running (steal).
// Needs perf (linux-perf) and root (or perf_event_paranoid <= -1).
//
//   const trace = await startTrace(file); ... await trace.stop(); const t = loadTrace(file);
//   breakdown(t, tid, startMs, endMs)   // times in ms since the epoch, as the packet capture's

const { spawn, execFileSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');

// CLOCK_REALTIME - CLOCK_MONOTONIC, in seconds (perf stamps events with the monotonic clock).
function realtimeOffset() {
  const mono = Number(process.hrtime.bigint()) / 1e9;
  const real = (performance.timeOrigin + performance.now()) / 1000;
  return real - mono;
}

async function startTrace(file) {
  const proc = spawn('perf', ['record', '-m', '16M', '-k', 'mono', '-a', '-e', 'sched:sched_switch', '-e',
    'sched:sched_wakeup', '-e', 'sched:sched_stat_runtime', '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((r) => proc.on('exit', r));
  await new Promise((r) => setTimeout(r, 500));  // perf arms its events
  if (proc.exitCode !== null) throw new Error(`perf record failed: ${err}`);
  return {
    // Resolves with perf's complaints (lost events), if any.
    async stop() {
      proc.kill('SIGINT');
      await exited;
      return err.split('\n').filter((l) => /lost|LOST|Lost/.test(l)).join(' ');
    },
  };
}

// Events of the trace in time order: { t (s, CLOCK_REALTIME), cpu, kind, ... }.
function loadTrace(file, offset = realtimeOffset()) {
  const text = execFileSync('perf', ['script', '-i', file, '-F', 'cpu,time,event,trace'],
    { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const events = [];
  const re = /^\s*\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s+(.*)$/;
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const e = { cpu: Number(m[1]), t: Number(m[2]) + offset, kind: m[3] };
    const f = m[4];
    if (e.kind === 'sched_switch') {
      const s = /prev_comm=(.*) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+)/.exec(f);
      if (!s) continue;
      e.prevComm = s[1]; e.prev = Number(s[2]); e.prevState = s[3]; e.nextComm = s[4]; e.next = Number(s[5]);
    } else if (e.kind === 'sched_wakeup') {
      const s = /pid=(\d+)/.exec(f);
      if (!s) continue;
      e.pid = Number(s[1]);
    } else if (e.kind === 'sched_stat_runtime') {
      const s = /pid=(\d+) runtime=(\d+)/.exec(f);
      if (!s) continue;
      e.pid = Number(s[1]); e.runtime = Number(s[2]) / 1e9;
    } else {
      continue;
    }
    events.push(e);
  }
  events.sort((a, b) => a.t - b.t);
  return events;
}

// The breakdown of [startMs, endMs] for thread `tid`, in ms; `blocker` names the task that had
// the CPU until the thread got it after its longest wait ("idle CPU": it was taken over by another
// CPU that had gone idle, having waited on a busy one).
function breakdown(events, tid, startMs, endMs) {
  const start = startMs / 1000;
  const end = endMs / 1000;
  // The thread's state at `start`: from its last switch or wakeup before it.
  let state = 'sleeping';
  let lo = 0;
  let hi = events.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (events[mid].t < start) lo = mid + 1; else hi = mid; }
  for (let i = lo - 1; i >= 0; i--) {
    const e = events[i];
    if (e.kind === 'sched_switch' && e.next === tid) { state = 'running'; break; }
    if (e.kind === 'sched_switch' && e.prev === tid) { state = e.prevState.startsWith('R') ? 'waiting' : 'sleeping'; break; }
    if (e.kind === 'sched_wakeup' && e.pid === tid) { state = 'waiting'; break; }
  }
  const out = { wall: (end - start) * 1000, ran: 0, waited: 0, slept: 0, host: 0, blocker: '' };
  let since = start;
  let running = 0;  // wall time on a CPU, as the guest sees it
  let longestWait = 0;
  let waitStart = state === 'waiting' ? start : 0;
  const close = (t) => {
    const d = (Math.min(t, end) - since) * 1000;
    if (state === 'running') running += d; else if (state === 'waiting') out.waited += d; else out.slept += d;
    since = Math.min(t, end);
  };
  for (let i = lo; i < events.length; i++) {
    const e = events[i];
    if (e.t > end) {
      // Past the interval, only the thread's next charge matters (see below), then stop.
      if (e.kind !== 'sched_stat_runtime' || e.pid !== tid) continue;
      if (state !== 'running' && e.t - e.runtime < end) {
        close(Math.max(since, e.t - e.runtime));
        state = 'running';
      }
      break;
    }
    if (e.kind === 'sched_switch') {
      if (e.next === tid) {
        close(e.t);
        const waited = (e.t - waitStart) * 1000;
        if (state === 'waiting' && waited > longestWait) {
          longestWait = waited;
          out.blocker = e.prev === 0 ? 'idle CPU' : e.prevComm;
        }
        state = 'running';
      } else if (e.prev === tid) {
        close(e.t);
        state = e.prevState.startsWith('R') ? 'waiting' : 'sleeping';
        if (state === 'waiting') waitStart = e.t;
      }
    } else if (e.kind === 'sched_wakeup' && e.pid === tid && state === 'sleeping') {
      close(e.t);
      state = 'waiting';
      waitStart = e.t;
    } else if (e.kind === 'sched_stat_runtime' && e.pid === tid && state !== 'running') {
      // A charge while we thought it off the CPU: its switch in was not recorded (this VM's trace
      // drops some of the idle task's events). It ran for at least the charge before it.
      close(Math.max(since, e.t - e.runtime));
      state = 'running';
    }
  }
  close(end);
  // Runtime is charged at switches and ticks, for the stretch since the last charge: each charge
  // (d at time T) is taken to cover [T - d, T], and only its overlap with the interval counts.
  // The first charge after the interval covers its end.
  for (let i = lo; i < events.length; i++) {
    const e = events[i];
    if (e.kind !== 'sched_stat_runtime' || e.pid !== tid) continue;
    const from = Math.max(e.t - e.runtime, start);
    const to = Math.min(e.t, end);
    if (to > from) out.ran += (to - from) * 1000;
    if (e.t > end) break;
  }
  out.ran = Math.min(out.ran, running);
  out.host = Math.max(0, running - out.ran);
  return out;
}

module.exports = { startTrace, loadTrace, breakdown, realtimeOffset };
