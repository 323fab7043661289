'use strict';
// Runs baresip (Debian's package, 1.0) headless as a real softphone for end-to-end tests:
// SIP over UDP, TCP and TLS on 127.0.0.1, G.711 with telephone-event, optional SDES-SRTP, and
// either auto-answer for incoming calls or dialing out through its control socket.
//
// API
//   skipWithoutBaresip        false, or the reason to skip (no binary, or a module missing)
//   startBaresip(options)     -> Promise<Baresip>, resolved once baresip printed "baresip is ready"
//                                and its control socket (ctrl_tcp) accepted a connection
//     user        the account's user part (default 'bob'); incoming calls must name it
//     tls         { cert, key, ca } PEM paths (from certs.js): adds a TLS listener on port + 1
//     srtp        false (plain RTP/AVP, the default), 'mand' (RTP/SAVP with SDES, required), 'optional'
//                 (baresip's 'srtp': offers RTP/AVP with crypto lines, accepts either)
//     codecs      the audio codecs in order (default 'pcmu,pcma')
//     answer      'auto' (default) or 'manual' (answer with bob.command('accept'))
//     toneHz      the sine tone baresip sends (default 440)
//     record      write the audio received from the peer to a WAV file (default true)
//     registrar   { uri: 'sip:host:port;transport=..', user, password, domain, regint } registers the
//                 account (AOR sip:user@domain, REGISTER sent through `uri` as outbound proxy) instead
//                 of a local, unregistered one. baresip registers as soon as it starts, maybe before
//                 the control socket connects: read the outcome from `output` (its trace shows the
//                 REGISTER and the response; failures print "reg: <aor>: <code> <reason>")
//     timeoutMs   the whole run; baresip is SIGKILLed after it (default 30000)
//     verbose     pass -v (debug log)
//   A Baresip has
//     port, tlsPort           its SIP ports on 127.0.0.1 (UDP and TCP share `port`; TLS is port + 1)
//     uri({ transport, secure, user })   a SIP URI reaching it: 'sip:bob@127.0.0.1:PORT[;transport=..]'
//     output                   everything it printed so far (stdout and stderr; SIP trace included)
//     events                   the ctrl_tcp events received, e.g. { type: 'CALL_ESTABLISHED', ... }
//     command(cmd, params)     sends a ctrl_tcp command ('hangup', 'dial', 'accept', 'quit', ...),
//                              resolves with the response { ok, data }
//     waitFor(regexp, ms)      resolves with the match once `output` matches, rejects after `ms`
//     waitForEvent(type, ms)   resolves with the first ctrl_tcp event of that type
//     stop()                   quits (SIGTERM, then SIGKILL) and resolves { code, signal, output, recordings }
//     done                     resolves like stop() when baresip exits by itself
//   readWav(file)             -> { sampleRate, channels, samples: Int16Array } of a 16-bit PCM WAV
//   audioLevel(samples)       -> { rms, peak } of 16-bit samples
//   toneFrequency(wav)        -> the frequency (Hz) of a steady tone, from its zero crossings
//   sipTrace(output)          -> the SIP messages in baresip's trace, in order, each
//                                { transport: 'UDP'|'TCP'|'TLS', from, to, text } (text: the whole message)
//   rtpStats(output)          -> { sent, received, errors } packets from the statistics baresip prints
//                                at hang-up (rtp_stats), or undefined

const { spawn } = require('node:child_process');
const dgram = require('node:dgram');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const BARESIP = process.env.BARESIP_BIN || 'baresip';
const MODULE_DIR = process.env.BARESIP_MODULES || '/usr/lib/baresip/modules';
// ausine: the audio we send; sndfile: dumps what we decode; aubridge: a player that needs no device.
const MODULES = ['g711', 'srtp', 'ausine', 'aubridge', 'sndfile', 'ctrl_tcp', 'menu', 'account'];
const READY_TIMEOUT_MS = 10000;

function onPath(name) {
  if (name.includes('/')) return fs.existsSync(name);
  return (process.env.PATH || '').split(':').some((dir) => dir && fs.existsSync(path.join(dir, name)));
}

function skipReason() {
  if (!onPath(BARESIP)) return `baresip not installed (${BARESIP}; scripts/install-deps installs it)`;
  const missing = MODULES.filter((m) => !fs.existsSync(path.join(MODULE_DIR, `${m}.so`)));
  if (missing.length) return `baresip modules missing in ${MODULE_DIR}: ${missing.join(', ')}`;
  return false;
}
const skipWithoutBaresip = skipReason();

// True when `port` can be bound on 127.0.0.1 over TCP (and UDP when `udp`).
async function isFree(port, udp) {
  const tcpFree = await new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  if (!tcpFree || !udp) return tcpFree;
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

// A port P with P free for UDP and TCP and P + 1 free for TCP: baresip puts TLS on sip_listen + 1.
async function freeSipPorts() {
  for (let i = 0; i < 50; i += 1) {
    const port = 20000 + 2 * Math.floor(Math.random() * 4000);
    if (await isFree(port, true) && await isFree(port + 1, false)) return port;
  }
  throw new Error('no free port pair for baresip');
}

async function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function readWav(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${file}: not a WAV file`);
  }
  let offset = 12;
  let format;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    let size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = { code: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format || format.code !== 1 || format.bits !== 16) throw new Error(`${file}: not 16-bit PCM`);
      // A writer killed before it closed the file leaves the size unset: take what is there.
      if (size === 0 || body + size > buf.length) size = buf.length - body;
      const samples = new Int16Array(Math.floor(size / 2));
      for (let i = 0; i < samples.length; i += 1) samples[i] = buf.readInt16LE(body + 2 * i);
      return { sampleRate: format.sampleRate, channels: format.channels, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

function audioLevel(samples) {
  let sum = 0;
  let peak = 0;
  for (const s of samples) {
    sum += s * s;
    peak = Math.max(peak, Math.abs(s));
  }
  return { rms: samples.length ? Math.sqrt(sum / samples.length) : 0, peak };
}

function toneFrequency({ samples, sampleRate }) {
  let crossings = 0;
  for (let i = 1; i < samples.length; i += 1) if ((samples[i - 1] < 0) !== (samples[i] < 0)) crossings += 1;
  return samples.length ? crossings / 2 / (samples.length / sampleRate) : 0;
}

// baresip (-s) prints each message as ESC[36;1m "#" LF "<TRANSPORT> <from> -> <to>" LF message ESC[;m.
function sipTrace(output) {
  const re = /\x1b\[36;1m#\n(UDP|TCP|TLS) (\S+) -> (\S+)\n([\s\S]*?)\x1b\[;m/g;
  return [...output.matchAll(re)].map((m) => ({ transport: m[1], from: m[2], to: m[3], text: m[4] }));
}

function rtpStats(output) {
  const packets = /^packets:\s+(\d+)\s+(\d+)/m.exec(output);
  const errors = /^errors:\s+(\d+)\s+(\d+)/m.exec(output);
  if (!packets) return undefined;
  return { sent: Number(packets[1]), received: Number(packets[2]),
    errors: errors ? Number(errors[1]) + Number(errors[2]) : 0 };
}

// ctrl_tcp speaks netstrings ("LEN:JSON,") carrying commands, responses and events.
class ControlSocket {
  constructor(socket) {
    this.socket = socket;
    this.buffer = '';
    this.pending = new Map();
    this.nextToken = 1;
    this.events = [];
    this.eventWaiters = [];
    socket.setEncoding('utf8');
    socket.on('data', (d) => { this.buffer += d; this.parse(); });
    socket.on('error', () => {});
  }

  parse() {
    for (;;) {
      const colon = this.buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(this.buffer.slice(0, colon));
      if (this.buffer.length < colon + 1 + length + 1) return;
      const text = this.buffer.slice(colon + 1, colon + 1 + length);
      this.buffer = this.buffer.slice(colon + 1 + length + 1);
      let message;
      try { message = JSON.parse(text); } catch { continue; }
      if (message.response && this.pending.has(message.token)) {
        this.pending.get(message.token)(message);
        this.pending.delete(message.token);
      } else if (message.event) {
        this.events.push(message);
        for (const w of this.eventWaiters.splice(0)) w();
      }
    }
  }

  command(command, params = '') {
    const token = String(this.nextToken++);
    const text = JSON.stringify({ command, params, token });
    return new Promise((resolve) => {
      this.pending.set(token, resolve);
      this.socket.write(`${Buffer.byteLength(text)}:${text},`);
    });
  }
}

class Baresip {
  constructor({ proc, dir, port, tls, user, ctrlPort }) {
    this.proc = proc;
    this.dir = dir;
    this.port = port;
    this.tlsPort = tls ? port + 1 : undefined;
    this.user = user;
    this.ctrlPort = ctrlPort;
    this.output = '';
    this.control = undefined;
    this.waiters = [];
    this.exited = false;
    this.done = new Promise((resolve) => proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiters.splice(0)) w();
      resolve({ code, signal, output: this.output, recordings: this.recordings() });
    }));
  }

  get events() { return this.control ? this.control.events : []; }

  append(text) {
    this.output += text;
    for (const w of this.waiters.splice(0)) w();
  }

  uri({ transport, secure = false, user = this.user } = {}) {
    if (secure || transport === 'tls') {
      return `sip:${user}@127.0.0.1:${this.tlsPort}${secure ? ';secure=true' : ';transport=tls'}`;
    }
    return `sip:${user}@127.0.0.1:${this.port}${transport ? `;transport=${transport}` : ''}`;
  }

  // The WAV files sndfile wrote with the audio decoded from the peer.
  recordings() {
    try {
      return fs.readdirSync(this.dir).filter((f) => /^dump-.*-dec\.wav$/.test(f)).map((f) => path.join(this.dir, f));
    } catch {
      return [];
    }
  }

  async waitFor(pattern, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.output);
      if (m) return m;
      const left = deadline - Date.now();
      if (left <= 0 || this.exited) {
        throw new Error(`baresip: no ${pattern} within ${timeoutMs} ms${this.exited ? ' (exited)' : ''}:\n${this.output}`);
      }
      await new Promise((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  async waitForEvent(type, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => e.type === type);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.exited) throw new Error(`baresip: no ${type} event within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.control.eventWaiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  command(cmd, params = '') {
    if (!this.control) return Promise.reject(new Error('baresip: no control connection'));
    return this.control.command(cmd, params);
  }

  async stop() {
    if (!this.exited) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
      await this.done;
      clearTimeout(timer);
    }
    this.control?.socket.destroy();
    return this.done;
  }

  // Removes the configuration directory (and the recordings in it).
  cleanup() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function configText({ port, tls, ctrlPort, dir, toneHz, record }) {
  const lines = [
    'poll_method epoll',
    // Media on the loopback too (by default baresip advertises its first interface's address).
    'net_interface 127.0.0.1',
    `sip_listen 127.0.0.1:${port}`,
    'call_local_timeout 30',
    'call_max_calls 4',
    `audio_source ausine,${toneHz}`,
    // ausine makes 48 kHz stereo only; baresip resamples to the codec's 8 kHz.
    'ausrc_srate 48000',
    'ausrc_channels 2',
    'audio_player aubridge,sink',
    'audio_alert aubridge,sink',
    'audio_level no',
    'audio_buffer 20-160',
    'rtcp_mux no',
    'jitter_buffer_delay 1-10',
    'rtp_stats yes',
    'rtp_timeout 0',
    `module_path ${MODULE_DIR}`,
    'module g711.so',
    'module srtp.so',
    'module ausine.so',
    'module aubridge.so',
    'module ctrl_tcp.so',
    // menu: the call commands (dial, accept, hangup) that ctrl_tcp runs.
    'module_app menu.so',
    'module_tmp account.so',
    ...(record ? ['module sndfile.so'] : []),
    `snd_path ${dir}`,
    `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
  ];
  if (tls) lines.push(`sip_certificate ${path.join(dir, 'tls.pem')}`, `sip_cafile ${tls.ca}`);
  return `${lines.join('\n')}\n`;
}

function accountLine({ user, port, srtp, codecs, answer, registrar }) {
  const params = [`answermode=${answer}`, `audio_codecs=${codecs}`, 'ptime=20'];
  if (srtp === 'mand') params.push('mediaenc=srtp-mand');
  else if (srtp === 'optional') params.push('mediaenc=srtp');
  if (!registrar) {
    // An unregistered account on our own address: incoming INVITEs for `user` reach it.
    return `<sip:${user}@127.0.0.1:${port}>;${params.join(';')};regint=0\n`;
  }
  const domain = registrar.domain || '127.0.0.1';
  params.push(`auth_user=${registrar.user || user}`, `auth_pass=${registrar.password || ''}`,
    `outbound="${registrar.uri}"`, `regint=${registrar.regint || 600}`);
  return `<sip:${user}@${domain}>;${params.join(';')}\n`;
}

async function startBaresip({ user = 'bob', tls, srtp = false, codecs = 'pcmu,pcma', answer = 'auto',
  toneHz = 440, record = true, registrar, timeoutMs = 30000, verbose = false } = {}) {
  if (skipWithoutBaresip) throw new Error(skipWithoutBaresip);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-baresip-'));
  const port = await freeSipPorts();
  const ctrlPort = await freeTcpPort();
  if (tls) {
    fs.writeFileSync(path.join(dir, 'tls.pem'), fs.readFileSync(tls.cert, 'utf8') + fs.readFileSync(tls.key, 'utf8'));
  }
  fs.writeFileSync(path.join(dir, 'config'), configText({ port, tls, ctrlPort, dir, toneHz, record }));
  fs.writeFileSync(path.join(dir, 'accounts'), accountLine({ user, port, srtp, codecs, answer, registrar }));
  fs.writeFileSync(path.join(dir, 'contacts'), '');
  // -s: the SIP trace, which tests read (transport, SDP).
  const args = ['-f', dir, '-s', '-t', String(Math.ceil(timeoutMs / 1000))];
  if (verbose) args.push('-v');
  const proc = spawn(BARESIP, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const bs = new Baresip({ proc, dir, port, tls, user, ctrlPort });
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (d) => bs.append(d));
  proc.stderr.on('data', (d) => bs.append(d));
  const killer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs + 5000);
  bs.done.then(() => clearTimeout(killer));
  try {
    await bs.waitFor(/baresip is ready/, READY_TIMEOUT_MS);
    const socket = await new Promise((resolve, reject) => {
      const s = net.connect(ctrlPort, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    bs.control = new ControlSocket(socket);
  } catch (err) {
    await bs.stop();
    throw err;
  }
  return bs;
}

module.exports = { startBaresip, skipWithoutBaresip, readWav, audioLevel, toneFrequency, rtpStats, sipTrace,
  BARESIP };
