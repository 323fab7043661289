'use strict';
// A real HTTP server on 127.0.0.1 that records every request (method, URL, headers, parameters)
// and answers with TwiML from a handler, for webhook and status-callback tests.

const http = require('node:http');
const { URLSearchParams } = require('node:url');
const twilio = require('twilio');

const MAX_BODY = 1024 * 1024;

// `handler(request)` returns a string (TwiML), a twiml.VoiceResponse, or
// { status, body (string or Buffer), contentType, headers, delayMs } to answer; default: an
// empty <Response/>.
async function startWebhookServer(handler = () => new twilio.twiml.VoiceResponse()) {
  const requests = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy();
    });
    req.on('end', async () => {
      const url = new URL(req.url, `http://${req.headers.host}`);
      const params = Object.fromEntries(
        req.method === 'POST' ? new URLSearchParams(body) : url.searchParams);
      const record = { method: req.method, url: req.url, path: url.pathname, headers: req.headers, body, params,
        receivedAt: Date.now() };
      requests.push(record);
      for (const w of waiters.splice(0)) w();
      let answer = await handler(record);
      if (answer instanceof twilio.twiml.VoiceResponse) answer = answer.toString();
      if (typeof answer === 'string') answer = { body: answer };
      answer = { status: 200, contentType: 'application/xml', body: '', ...answer };
      const send = () => {
        res.writeHead(answer.status, { 'Content-Type': answer.contentType, ...(answer.headers || {}) });
        res.end(answer.body);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs); else send();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    // Resolves once `count` requests (matching `filter`) have arrived, or rejects after timeoutMs.
    async waitFor(count, { filter = () => true, timeoutMs = 10000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = requests.filter(filter);
        if (matching.length >= count) return matching;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} webhook requests, got ${matching.length}`);
        await new Promise((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => { clearTimeout(t); resolve(); });
        });
      }
    },
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

module.exports = { startWebhookServer };
