// A small, realistic beam mix shared by the k6 scripts (the Rust loadgen's mix is larger and
// seeded; these are typical editor requests: singly and doubly reinforced, shear-heavy, check).
export const BEAMS = [
  { width: 300, depth: 500, length: 5000, Mu: 150, Vu: 100, fck: 25, fy: 415 },
  { width: 230, depth: 450, length: 4000, Mu: 80, Vu: 60, fck: 20, fy: 415 },
  { width: 300, depth: 600, length: 6000, Mu: 320, Vu: 180, fck: 30, fy: 500 },
  { width: 350, depth: 700, length: 7000, Mu: 420, Vu: 420, fck: 30, fy: 500, support: 'continuous' },
  { width: 250, depth: 450, length: 4500, Mu: 160, Vu: 90, fck: 25, fy: 415 },
  { width: 300, depth: 550, length: 5000, Mu: 120, Vu: 80, fck: 25, fy: 415,
    tension: [{ count: 3, dia: 16 }], stirrups: { legs: 2, dia: 8, spacing: 150 } },
];

export function beam(i) {
  return BEAMS[i % BEAMS.length];
}

// Where the gateway is and which token to use: `-e BASE=127.0.0.1:PORT -e TOKEN=…`.
export const BASE = __ENV.BASE || '127.0.0.1:8080';
export const TOKEN = __ENV.TOKEN || '';
