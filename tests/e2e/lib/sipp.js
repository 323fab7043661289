'use strict';
// Runs sipp (Debian's sip-tester) as UAC or UAS with bounded call counts and times, on 127.0.0.1.
// Over TLS (-t l1 / ln) it runs SIPP_TLS_BIN instead: bookworm's sipp has no TLS, so
// scripts/install-sipp-tls (run by scripts/install-deps) puts one built with TLS in ~/.cache.

const { spawn, spawnSync } = require('node:child_process');
const dgram = require('node:dgram');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SIPP = process.env.SIPP_BIN || 'sipp';
const SIPP_TLS = process.env.SIPP_TLS_BIN ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'switchboard/sipp-tls/bin/sipp');

// Why the TLS-capable sipp cannot run, or null. Tests over TLS fail with this reason rather than
// skip: a missing TLS sipp is a broken install, not an optional feature.
function sippTlsProblem() {
  const version = spawnSync(SIPP_TLS, ['-v'], { encoding: 'utf8' });
  if (version.error) return `${SIPP_TLS}: ${version.error.message} (run scripts/install-sipp-tls)`;
  const text = `${version.stdout || ''}${version.stderr || ''}`;
  const name = (text.match(/SIPp v\S+/) || ['no version'])[0];
  return /SIPp v\S*TLS/.test(text) ? null : `${SIPP_TLS} has no TLS support (${name}; run scripts/install-sipp-tls)`;
}

// A free UDP port on 127.0.0.1 (bound once, then released for sipp to take).
function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts sipp. `scenario` is a built-in name ('uac', 'uas', ...) or a path to an XML file.
// `calls` bounds the number of calls (-m), `timeoutMs` the whole run (-timeout, then SIGKILL).
// `remote` is "host:port" for a UAC; `port` the local port (default: a free one).
// `traceMessages` records every SIP message sipp sends and receives; `done` resolves with them.
// `localIp` is the address sipp binds (another 127.x.y.z address stands for another host).
// The result names the SIP `port`, the `mediaPort` (-mp) sipp was given and its `workDir`.
async function startSipp({ scenario, remote, calls = 1, port, transport = 'u1', timeoutMs = 30000,
  extraArgs = [], traceMessages = false, localIp = '127.0.0.1' } = {}) {
  port = port || (await freeUdpPort());
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-sipp-'));
  const args = [];
  if (scenario.endsWith('.xml')) args.push('-sf', scenario); else args.push('-sn', scenario);
  // Each sipp gets its own media port (sipp's default, 6000, collides between parallel tests).
  const mediaPort = await freeUdpPort();
  args.push('-i', localIp, '-p', String(port), '-mp', String(mediaPort), '-t', transport, '-m', String(calls),
    '-timeout', `${Math.ceil(timeoutMs / 1000)}s`, '-timeout_error', '-nostdin', '-trace_err',
    '-error_file', path.join(workDir, 'errors.log'), ...extraArgs);
  if (traceMessages) args.push('-trace_msg', '-message_file', path.join(workDir, 'messages.log'));
  if (remote) args.push(remote);
  const binary = transport.startsWith('l') ? SIPP_TLS : SIPP;
  const proc = spawn(binary, args.filter(Boolean), { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const killer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs + 5000);
  const done = new Promise((resolve) => proc.on('exit', (code, signal) => {
    clearTimeout(killer);
    const read = (name) => {
      try { return fs.readFileSync(path.join(workDir, name), 'utf8'); } catch { return ''; }
    };
    resolve({ code, signal, output, errors: read('errors.log'), messages: read('messages.log') });
  }));
  return { port, mediaPort, workDir, proc, done, stop: () => { proc.kill('SIGTERM'); return done; } };
}

module.exports = { startSipp, freeUdpPort, sippTlsProblem, SIPP_TLS };
