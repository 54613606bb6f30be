// Behaviour/soak check of the interactive WebSocket at a modest rate: each VU holds one
// session, sends a design request every INTERVAL_MS (default 200 ms), checks every reply
// (type, echoed request_id, a design status) and records the round trip in `ws_design_rtt`.
// k6 costs ~110–165 µs of CPU per round trip here, so this is not a throughput test: use
// `loadgen ws-design` for that.
//
//   k6 run -e BASE=127.0.0.1:PORT -e TOKEN=… --vus 20 --duration 30s loadtest/k6/ws-design.js
import ws from 'k6/ws';
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import { BASE, TOKEN, beam } from './beams.js';

const rtt = new Trend('ws_design_rtt', true);
const replies = new Counter('ws_design_replies');
const INTERVAL_MS = Number(__ENV.INTERVAL_MS || 200);
const SESSION_SECONDS = Number(__ENV.SESSION_SECONDS || 10);

export const options = {
  vus: 10,
  duration: '10s',
  thresholds: {
    checks: ['rate>0.99'],
    ws_design_rtt: ['p(99)<50'],
  },
};

export default function () {
  const url = `ws://${BASE}/ws/design/k6-${__VU}-${__ITER}`;
  const params = TOKEN ? { headers: { Authorization: `Bearer ${TOKEN}` } } : {};
  const sentAt = {};
  let next = 0;
  const res = ws.connect(url, params, (socket) => {
    socket.on('open', () => {
      socket.setInterval(() => {
        const id = next++;
        sentAt[id] = Date.now();
        socket.send(JSON.stringify({ type: 'design_beam', request_id: id, params: beam(id + __VU) }));
      }, INTERVAL_MS);
      socket.setTimeout(() => socket.close(), SESSION_SECONDS * 1000);
    });
    socket.on('message', (text) => {
      const msg = JSON.parse(text);
      if (msg.type === 'connection_ack' || msg.type === 'pong') return;
      const ok = check(msg, {
        'reply is design_result': (m) => m.type === 'design_result',
        'reply echoes a request_id we sent': (m) => m.request_id in sentAt,
        'result has a design status': (m) => !!(m.data && m.data.status),
      });
      if (ok) {
        rtt.add(Date.now() - sentAt[msg.request_id]);
        replies.add(1);
        delete sentAt[msg.request_id];
      }
    });
    socket.on('error', (e) => check(e, { 'no socket error': () => false }));
  });
  check(res, { 'upgrade answered 101': (r) => r && r.status === 101 });
}
