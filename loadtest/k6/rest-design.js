// Behaviour check of the REST fallback `POST /api/v1/design` at a constant modest rate
// (RATE requests/s, default 5, under the default REST limit of 600 per user per minute):
// every response 200 with a design status, or a well-formed 429 when the limit is reached.
//
//   k6 run -e BASE=127.0.0.1:PORT -e TOKEN=… -e RATE=5 --duration 30s loadtest/k6/rest-design.js
import http from 'k6/http';
import { check } from 'k6';
import { BASE, TOKEN, beam } from './beams.js';

export const options = {
  scenarios: {
    rest: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 5),
      timeUnit: '1s',
      duration: __ENV.DURATION || '10s',
      preAllocatedVUs: 5,
    },
  },
  thresholds: {
    checks: ['rate>0.99'],
    http_req_duration: ['p(99)<100'],
  },
};

export default function () {
  const headers = { 'Content-Type': 'application/json' };
  if (TOKEN) headers.Authorization = `Bearer ${TOKEN}`;
  const res = http.post(`http://${BASE}/api/v1/design`, JSON.stringify(beam(__ITER)), { headers });
  check(res, {
    'status 200 (or 429 with the legacy body)': (r) =>
      r.status === 200 || (r.status === 429 && r.json('detail') !== undefined),
    'a 200 carries a design status': (r) => r.status !== 200 || !!r.json('status'),
  });
}
