//! `mesh.stl`: a 3D mesh of the designed beam over its span, as binary STL.
//!
//! Binary rather than ASCII: 50 bytes a triangle instead of about 250, exact `f32`s with no
//! number formatting, and read by every CAD viewer and slicer. A 6 m beam with its bars and
//! stirrups is a few thousand triangles, ~100 KB.
//!
//! Axes, in mm: `x` across the width (0 = left face), `y` along the span (0 = left end), `z` up
//! (0 = the soffit). Every part is a closed convex solid, each triangle wound counter-clockwise
//! seen from outside with its unit outward normal:
//! - the concrete: the box `b × L × D`, which is also the mesh's bounding box;
//! - each longitudinal bar: a [`BAR_SIDES`]-gon prism of its diameter, from end cover to end
//!   cover, at its place in the section (see `layout`);
//! - each stirrup: four square bars of the link diameter along its centre line (a closed
//!   rectangle, outer face at the cover) plus its inner legs, at the stirrup positions.

use super::layout::Layout;

/// Sides of the polygon approximating a round bar.
pub const BAR_SIDES: usize = 12;

type V3 = [f64; 3];

/// Triangles of closed solids.
#[derive(Debug, Default)]
pub struct Mesh {
    triangles: Vec<[V3; 3]>,
}

impl Mesh {
    /// The beam of `layout`: concrete, bars and stirrups.
    pub fn of(layout: &Layout) -> Self {
        let mut mesh = Self::default();
        let (b, l, d) = (layout.width_mm, layout.span_mm, layout.depth_mm);
        mesh.add_box([0.0, 0.0, 0.0], [b, l, d]);
        let (y0, y1) = (layout.cover_mm, l - layout.cover_mm);
        for bar in layout.tension.iter().chain(&layout.compression) {
            // Section y runs down from the top face; z runs up from the soffit.
            mesh.add_rod(bar.x_mm, d - bar.y_mm, bar.dia_mm / 2.0, y0, y1);
        }
        if let Some(links) = &layout.links {
            let t = links.dia_mm / 2.0;
            let inset = layout.cover_mm + t;
            let legs = layout.leg_positions();
            for y in layout.stirrup_positions() {
                let (zb, zt) = (inset, d - inset);
                let (xl, xr) = (inset, b - inset);
                mesh.add_box([xl - t, y - t, zb - t], [xr + t, y + t, zb + t]);
                mesh.add_box([xl - t, y - t, zt - t], [xr + t, y + t, zt + t]);
                // A leg spans between the horizontal bars (a section deep enough for the
                // design always leaves room; the guard keeps the solid non-degenerate).
                for x in legs.iter().filter(|_| zt - zb > 2.0 * t) {
                    mesh.add_box([x - t, y - t, zb + t], [x + t, y + t, zt - t]);
                }
            }
        }
        mesh
    }

    /// Number of triangles.
    pub fn len(&self) -> usize {
        self.triangles.len()
    }

    /// Whether the mesh has no triangle.
    pub fn is_empty(&self) -> bool {
        self.triangles.is_empty()
    }

    /// The binary STL file: 80-byte header, triangle count (u32 LE), then per triangle its
    /// normal and three vertices (12 f32 LE) and a zero attribute word.
    pub fn to_binary_stl(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(84 + 50 * self.triangles.len());
        let mut header = [b' '; 80];
        let title = b"beamstream beam mesh, mm, z up";
        header[..title.len()].copy_from_slice(title);
        out.extend_from_slice(&header);
        // More than 4 billion triangles cannot come from a validated beam (span ≤ 30 m).
        out.extend_from_slice(
            &u32::try_from(self.triangles.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        for t in &self.triangles {
            for v in std::iter::once(normal(t)).chain(t.iter().copied()) {
                for c in v {
                    out.extend_from_slice(&(c as f32).to_le_bytes());
                }
            }
            out.extend_from_slice(&[0, 0]);
        }
        out
    }

    /// An axis-aligned box from corner `lo` to corner `hi`.
    fn add_box(&mut self, lo: V3, hi: V3) {
        let corner = |i: usize| {
            [
                if i & 1 == 0 { lo[0] } else { hi[0] },
                if i & 2 == 0 { lo[1] } else { hi[1] },
                if i & 4 == 0 { lo[2] } else { hi[2] },
            ]
        };
        // Each face as two triangles of corner indices (bit 0 x, bit 1 y, bit 2 z).
        const FACES: [[usize; 4]; 6] = [
            [0, 1, 3, 2],
            [4, 5, 7, 6],
            [0, 1, 5, 4],
            [2, 3, 7, 6],
            [0, 2, 6, 4],
            [1, 3, 7, 5],
        ];
        let centre = [
            (lo[0] + hi[0]) / 2.0,
            (lo[1] + hi[1]) / 2.0,
            (lo[2] + hi[2]) / 2.0,
        ];
        for [a, b, c, d] in FACES {
            self.add_outward([corner(a), corner(b), corner(c)], centre);
            self.add_outward([corner(a), corner(c), corner(d)], centre);
        }
    }

    /// A round bar along `y` from `y0` to `y1`, centred on `(x, z)`, as a regular prism.
    fn add_rod(&mut self, x: f64, z: f64, r: f64, y0: f64, y1: f64) {
        let ring: Vec<(f64, f64)> = (0..BAR_SIDES)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / BAR_SIDES as f64;
                (x + r * a.cos(), z + r * a.sin())
            })
            .collect();
        let centre = [x, (y0 + y1) / 2.0, z];
        for k in 0..BAR_SIDES {
            let (p, q) = (ring[k], ring[(k + 1) % BAR_SIDES]);
            let (p0, q0, p1, q1) = (
                [p.0, y0, p.1],
                [q.0, y0, q.1],
                [p.0, y1, p.1],
                [q.0, y1, q.1],
            );
            self.add_outward([p0, q0, q1], centre);
            self.add_outward([p0, q1, p1], centre);
        }
        // End caps as fans from the first vertex.
        for y in [y0, y1] {
            for k in 1..BAR_SIDES - 1 {
                let v = |i: usize| [ring[i].0, y, ring[i].1];
                self.add_outward([v(0), v(k), v(k + 1)], centre);
            }
        }
    }

    /// Adds a triangle of a convex solid centred on `centre`, wound so its normal points away.
    fn add_outward(&mut self, t: [V3; 3], centre: V3) {
        let n = cross(sub(t[1], t[0]), sub(t[2], t[0]));
        let mid = [
            (t[0][0] + t[1][0] + t[2][0]) / 3.0,
            (t[0][1] + t[1][1] + t[2][1]) / 3.0,
            (t[0][2] + t[1][2] + t[2][2]) / 3.0,
        ];
        if dot(n, sub(mid, centre)) >= 0.0 {
            self.triangles.push(t);
        } else {
            self.triangles.push([t[0], t[2], t[1]]);
        }
    }
}

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// The unit normal of a triangle (zero for a degenerate one, which no solid here produces).
fn normal(t: &[V3; 3]) -> V3 {
    let n = cross(sub(t[1], t[0]), sub(t[2], t[0]));
    let len = dot(n, n).sqrt();
    if len > 0.0 {
        [n[0] / len, n[1] / len, n[2] / len]
    } else {
        [0.0; 3]
    }
}
