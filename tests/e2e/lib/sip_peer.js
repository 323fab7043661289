'use strict';
// Runs sip_peer, the command-line peer built on switchboard's SIP stack (src/sip/tools/), for
// end-to-end tests: as a UAS (`answer`) or a UAC (`call`, `options`), bounded in time.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SIP_PEER = process.env.SIP_PEER_BIN ||
  path.resolve(__dirname, '../../../build/release/src/sip/tools/sip_peer');
// A reason to skip the tests that need it, or false.
const skipWithoutSipPeer = fs.existsSync(SIP_PEER) ? false : `sip_peer not built (${SIP_PEER})`;

// Starts sip_peer with `args`. `done` resolves { code, output } at exit (SIGKILL after
// `timeoutMs`); `listening` resolves its ports { udp, tcp, tls } once it printed them.
function runPeer(args, timeoutMs = 30000) {
  const proc = spawn(SIP_PEER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const killer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const done = new Promise((resolve) => proc.on('exit', (code) => {
    clearTimeout(killer);
    resolve({ code, output });
  }));
  const listening = new Promise((resolve, reject) => {
    const check = () => {
      const m = /listening udp (\d+) tcp (\d+)(?: tls (\d+))?/.exec(output);
      if (m) resolve({ udp: Number(m[1]), tcp: Number(m[2]), tls: m[3] ? Number(m[3]) : 0 });
    };
    proc.stdout.on('data', check);
    proc.on('exit', () => reject(new Error(`sip_peer exited: ${output}`)));
  });
  return { proc, done, listening, output: () => output, stop: () => { proc.kill('SIGTERM'); return done; } };
}

module.exports = { SIP_PEER, skipWithoutSipPeer, runPeer };
