// The webhook gateway's job done the way JavaScript workflow platforms do it: node:http, an
// HMAC-SHA1 check with node:crypto, and a fetch() forward signed per Standard Webhooks. It is the
// Node 20 side of `connector bench gateway`; no npm packages. It forwards the notification's item
// as it came (no ISO-8601 normalisation, no topic -> trigger mapping), so it does less than the
// gateway component. Prints `listening on http://127.0.0.1:PORT` once it serves.
import http from 'node:http';
import crypto from 'node:crypto';

const secrets = (process.env.INTERCOM_CLIENT_SECRETS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const forwardUrl = process.env.FORWARD_URL;
const key = Buffer.from((process.env.FORWARD_SECRET ?? '').replace(/^whsec_/, ''), 'base64');
const MAX_BODY = 1 << 20;

function verified(signature, body) {
  const given = Buffer.from(String(signature ?? '').replace(/^sha1=/i, ''), 'hex');
  return given.length === 20 && secrets.some((s) =>
    crypto.timingSafeEqual(crypto.createHmac('sha1', s).update(body).digest(), given));
}

async function deliver(req, res, body) {
  if (!verified(req.headers['x-hub-signature'], body)) return res.writeHead(401).end();
  let n;
  try { n = JSON.parse(body); } catch { return res.writeHead(400).end(); }
  if (n.topic === 'ping') return res.writeHead(200).end('{"forwarded":0}');
  const payload = JSON.stringify({
    delivery_id: n.id, topic: n.topic,
    events: [{ id: n.id, trigger: n.topic, occurred_at: n.created_at, data: n.data?.item }],
  });
  const ts = Math.floor(Date.now() / 1000);
  const signature = 'v1,' + crypto.createHmac('sha256', key).update(`${n.id}.${ts}.${payload}`).digest('base64');
  try {
    const r = await fetch(forwardUrl, {
      method: 'POST', body: payload, signal: AbortSignal.timeout(3000),
      headers: { 'content-type': 'application/json', 'webhook-id': n.id, 'webhook-timestamp': String(ts), 'webhook-signature': signature },
    });
    await r.arrayBuffer();
    res.writeHead(r.ok ? 200 : 503).end();
  } catch {
    res.writeHead(503).end();
  }
}

const server = http.createServer((req, res) => {
  if (req.method === 'HEAD') return res.writeHead(200).end();
  if (req.method !== 'POST') return res.writeHead(405, { allow: 'HEAD, POST' }).end();
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY) { res.writeHead(413).end(); req.destroy(); } else chunks.push(c);
  });
  req.on('end', () => { if (size <= MAX_BODY) deliver(req, res, Buffer.concat(chunks)); });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
