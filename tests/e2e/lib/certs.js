'use strict';
// A throwaway CA and a server certificate for 127.0.0.1 / localhost, made with the openssl CLI,
// for TLS tests (SIP over TLS, HTTPS webhooks).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// Returns { dir, ca, cert, key } (PEM file paths); remove `dir` when done.
function makeCertificates() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-certs-'));
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' +
    'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n');
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=sb-e2e-ca']);
  run(['req', ...key, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=sb-e2e-server']);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'ext.cnf', '-out', 'server.pem']);
  return { dir, ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') };
}

module.exports = { makeCertificates };
