'use strict';
// Starts the real switchboard binary on free ports with a temporary data directory, and
// gives tests its REST base URL, main-account credentials and a configured twilio client.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const twilio = require('twilio');

const BIN = process.env.SWITCHBOARD_BIN || path.resolve(__dirname, '../../../build/release/switchboard');
const STARTUP_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 15000;

function makeDataDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-'));
}

// A twilio-node client whose requests go to `baseUrl` (as a user points it at switchboard).
function twilioClient(baseUrl, username, password, options = {}) {
  const client = twilio(username, password, options);
  client.api.baseUrl = baseUrl;
  return client;
}

class Switchboard {
  constructor(proc, dataDir) {
    this.proc = proc;
    this.dataDir = dataDir;
    this.stdout = '';
    this.stderr = '';
    this.exit = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  }

  client(options = {}) {
    return twilioClient(this.baseUrl, this.accountSid, this.authToken, options);
  }

  clientFor(username, password, options = {}) {
    return twilioClient(this.baseUrl, username, password, options);
  }

  // Lines of the server's log (stderr) that match `pattern`.
  logLines(pattern) {
    return this.stderr.split('\n').filter((l) => pattern.test(l));
  }

  async stop(signal = 'SIGTERM') {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
}

// Starts switchboard. `env` adds environment variables; `config` is TOML text written to a file
// and passed with --config; `args` are extra flags; `dataDir` reuses a directory (restarts);
// `rtpPorts` ("LO-HI") replaces the private 200-port range, `logLevel` the level info (benchmarks),
// `sip` the SIP listener (default 127.0.0.1 on a free port).
async function startSwitchboard({ env = {}, config, args = [], dataDir, rtpPorts, logLevel = 'info',
  sip = '127.0.0.1:0' } = {}) {
  dataDir = dataDir || makeDataDir();
  // A private RTP range per server, so test files running in parallel never collide.
  const rtpLow = 30000 + 200 * Math.floor(Math.random() * 150);
  const argv = ['serve', '--data-dir', dataDir, '--http', '127.0.0.1:0', '--sip', sip,
    '--rtp-ports', rtpPorts || `${rtpLow}-${rtpLow + 199}`, '--log-level', logLevel, ...args];
  if (config !== undefined) {
    const file = path.join(dataDir, 'switchboard.toml');
    fs.writeFileSync(file, config);
    argv.push('--config', file);
  }
  const childEnv = { ...process.env, ...env };
  if (!('SWITCHBOARD_ACCOUNT_SID' in env)) delete childEnv.SWITCHBOARD_ACCOUNT_SID;
  if (!('SWITCHBOARD_AUTH_TOKEN' in env)) delete childEnv.SWITCHBOARD_AUTH_TOKEN;
  const proc = spawn(BIN, argv, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const sb = new Switchboard(proc, dataDir);
  proc.stderr.on('data', (d) => { sb.stderr += d; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`switchboard did not start in time:\n${sb.stderr}`)),
      STARTUP_TIMEOUT_MS);
    proc.stdout.on('data', (d) => {
      sb.stdout += d;
      const base = /client\.api\.baseUrl = '([^']+)'/.exec(sb.stdout);
      const sid = /Account SID:\s+(AC[0-9a-f]{32})/.exec(sb.stdout);
      if (base && sid && /Data directory:/.test(sb.stdout)) {
        clearTimeout(timer);
        sb.baseUrl = base[1];
        const sip = /SIP \(UDP and TCP\):\s+127\.0\.0\.1:(\d+)/.exec(sb.stdout);
        sb.sipPort = sip ? Number(sip[1]) : undefined;
        sb.accountSid = sid[1];
        const token = /Auth token:\s+([0-9A-Za-z]{16,128})\b/.exec(sb.stdout);
        sb.authToken = token ? token[1] : env.SWITCHBOARD_AUTH_TOKEN;
        resolve();
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`switchboard exited with ${code} before it was ready:\n${sb.stderr}`));
    });
  });
  return sb;
}

module.exports = { startSwitchboard, twilioClient, makeDataDir, BIN };
