//! Points on the unit sphere.
//!
//! The R-tree holds each service as a 3-D unit vector. The straight-line (chord) distance
//! between two unit vectors grows monotonically with the great-circle distance, so the
//! R-tree's Euclidean nearest-neighbour search returns services in true distance order,
//! anywhere on Earth, with no projection that distorts away from a reference latitude.

use crate::domain::{BoundingBox, Coordinates};
use rstar::AABB;

/// Mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The unit vector of a point (x towards lon 0, y towards lon 90° E, z towards the pole).
pub fn to_xyz(p: Coordinates) -> [f64; 3] {
    let (lat, lon) = (p.lat().to_radians(), p.lon().to_radians());
    let (sin_lat, cos_lat) = lat.sin_cos();
    let (sin_lon, cos_lon) = lon.sin_cos();
    [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat]
}

/// Squared chord length between two unit vectors `metres` apart along a great circle.
pub fn chord2_for_metres(metres: f64) -> f64 {
    let angle = (metres / EARTH_RADIUS_M).min(std::f64::consts::PI);
    let chord = 2.0 * (angle / 2.0).sin();
    chord * chord
}

/// Great-circle metres for a squared chord length.
pub fn metres_for_chord2(chord2: f64) -> f64 {
    let half = (chord2.sqrt() / 2.0).min(1.0);
    2.0 * half.asin() * EARTH_RADIUS_M
}

/// A longitude/latitude box as seen by the 3-D tree: an enclosing axis-aligned box for the
/// tree search, and an exact membership test for the candidates it returns.
pub struct SphereBox {
    envelope: AABB<[f64; 3]>,
    min_z: f64,
    max_z: f64,
    /// Normals of the west and east meridian planes; `None` when the box spans 180° or
    /// more of longitude and the plane test would not hold.
    meridians: Option<([f64; 2], [f64; 2])>,
    min_lon: f64,
    max_lon: f64,
}

impl SphereBox {
    /// Builds the 3-D view of a box.
    pub fn new(b: &BoundingBox) -> Self {
        let (min_lat, max_lat) = (b.min_lat().to_radians(), b.max_lat().to_radians());
        let (min_lon, max_lon) = (b.min_lon().to_radians(), b.max_lon().to_radians());
        let (min_z, max_z) = (min_lat.sin(), max_lat.sin());

        let cos_lat_lo = min_lat.cos().min(max_lat.cos());
        let cos_lat_hi = if min_lat <= 0.0 && max_lat >= 0.0 {
            1.0
        } else {
            min_lat.cos().max(max_lat.cos())
        };
        let in_lon = |deg: f64| b.min_lon() <= deg && deg <= b.max_lon();
        let range = |a: f64, c: f64, extra: &[(f64, f64)]| {
            let mut lo = a.min(c);
            let mut hi = a.max(c);
            for &(deg, v) in extra {
                if in_lon(deg) {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            (lo, hi)
        };
        let cos_lon = range(
            min_lon.cos(),
            max_lon.cos(),
            &[(0.0, 1.0), (180.0, -1.0), (-180.0, -1.0)],
        );
        let sin_lon = range(min_lon.sin(), max_lon.sin(), &[(90.0, 1.0), (-90.0, -1.0)]);
        let product = |(a_lo, a_hi): (f64, f64), (b_lo, b_hi): (f64, f64)| {
            let p = [a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi];
            (
                p.iter().copied().fold(f64::INFINITY, f64::min),
                p.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            )
        };
        let x = product((cos_lat_lo, cos_lat_hi), cos_lon);
        let y = product((cos_lat_lo, cos_lat_hi), sin_lon);
        const PAD: f64 = 1e-12;
        let envelope = AABB::from_corners(
            [x.0 - PAD, y.0 - PAD, min_z - PAD],
            [x.1 + PAD, y.1 + PAD, max_z + PAD],
        );
        let meridians = (b.max_lon() - b.min_lon() < 180.0).then(|| {
            (
                [-min_lon.sin(), min_lon.cos()],
                [max_lon.sin(), -max_lon.cos()],
            )
        });
        Self {
            envelope,
            min_z: min_z - PAD,
            max_z: max_z + PAD,
            meridians,
            min_lon: b.min_lon(),
            max_lon: b.max_lon(),
        }
    }

    /// The enclosing box for the tree search.
    pub fn envelope(&self) -> &AABB<[f64; 3]> {
        &self.envelope
    }

    /// Whether a unit vector lies in the longitude/latitude box.
    pub fn contains(&self, p: &[f64; 3]) -> bool {
        if p[2] < self.min_z || p[2] > self.max_z {
            return false;
        }
        match self.meridians {
            Some((west, east)) => {
                const EPS: f64 = -1e-12;
                west[0] * p[0] + west[1] * p[1] >= EPS && east[0] * p[0] + east[1] * p[1] >= EPS
            }
            None => {
                let lon = p[1].atan2(p[0]).to_degrees();
                self.min_lon - 1e-9 <= lon && lon <= self.max_lon + 1e-9
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstar::Envelope;

    fn pt(lat: f64, lon: f64) -> Coordinates {
        Coordinates::new(lat, lon).unwrap()
    }

    #[test]
    fn chord_and_metres_round_trip() {
        for m in [0.0, 1.0, 350.0, 12_345.0, 1_000_000.0] {
            assert!(
                (metres_for_chord2(chord2_for_metres(m)) - m).abs() < 1e-3,
                "{m}"
            );
        }
    }

    #[test]
    fn sphere_box_matches_lon_lat_membership() {
        for b in [
            "11.2,43.2,11.4,43.4",
            "-10,-5,10,5",
            "170,-80,180,80",
            "-180,-90,180,90",
            "-100,30,100,60",
        ] {
            let bbox: BoundingBox = b.parse().unwrap();
            let sb = SphereBox::new(&bbox);
            let mut lat = -89.5;
            while lat < 90.0 {
                let mut lon = -179.5;
                while lon < 180.0 {
                    let p = pt(lat, lon);
                    let xyz = to_xyz(p);
                    assert_eq!(sb.contains(&xyz), bbox.contains(p), "{b} {p}");
                    if bbox.contains(p) {
                        assert!(sb.envelope().contains_point(&xyz), "{b} {p}");
                    }
                    lon += 2.5;
                }
                lat += 2.5;
            }
        }
    }
}
