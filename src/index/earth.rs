//! Points in Earth-centred, Earth-fixed (ECEF) coordinates on the WGS84 ellipsoid, metres.
//!
//! The R-tree holds each service as an ECEF point. The straight-line (chord) distance
//! between two points on the ellipsoid orders them as the geodesic distance does, so the
//! R-tree's Euclidean nearest-neighbour search returns services in distance order anywhere
//! on Earth, with no map projection that distorts away from a reference latitude. The
//! geodesic length follows from the chord: the arc of a circle of the Earth's mean radius
//! over it, which is within a millimetre of Karney's geodesic at city scale and within
//! 0.1 % at a thousand kilometres, at a fraction of the cost.

use crate::domain::{BoundingBox, Coordinates};
use rstar::AABB;

/// Mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// WGS84 semi-major axis, metres.
const WGS84_A: f64 = 6_378_137.0;
/// WGS84 first eccentricity squared.
const WGS84_E2: f64 = 6.694_379_990_141_316e-3;

/// Prime-vertical radius of curvature at a latitude (radians).
fn prime_vertical(lat: f64) -> f64 {
    WGS84_A / (1.0 - WGS84_E2 * lat.sin().powi(2)).sqrt()
}

/// Distance from the Earth's axis of a point of the ellipsoid at a latitude (radians).
fn parallel_radius(lat: f64) -> f64 {
    prime_vertical(lat) * lat.cos()
}

/// Height above the equatorial plane of a point of the ellipsoid at a latitude (radians).
fn axial_height(lat: f64) -> f64 {
    prime_vertical(lat) * (1.0 - WGS84_E2) * lat.sin()
}

/// The ECEF position of a point on the ellipsoid (x towards lon 0, y towards lon 90° E,
/// z towards the North Pole).
pub fn to_ecef(p: Coordinates) -> [f64; 3] {
    let (lat, lon) = (p.lat().to_radians(), p.lon().to_radians());
    let r = parallel_radius(lat);
    let (sin_lon, cos_lon) = lon.sin_cos();
    [r * cos_lon, r * sin_lon, axial_height(lat)]
}

/// Geodesic metres for a squared chord length in metres².
pub fn metres_for_chord2(chord2: f64) -> f64 {
    let half = (chord2.sqrt() / (2.0 * EARTH_RADIUS_M)).min(1.0);
    2.0 * EARTH_RADIUS_M * half.asin()
}

/// Squared chord length (metres²) of a geodesic `metres` long.
pub fn chord2_for_metres(metres: f64) -> f64 {
    let angle = (metres / EARTH_RADIUS_M).min(std::f64::consts::PI);
    let chord = 2.0 * EARTH_RADIUS_M * (angle / 2.0).sin();
    chord * chord
}

/// A longitude/latitude box as seen by the tree: an enclosing axis-aligned box for the
/// tree search, and an exact membership test for the candidates it returns.
pub struct EarthBox {
    envelope: AABB<[f64; 3]>,
    min_z: f64,
    max_z: f64,
    /// Normals of the west and east meridian planes; `None` when the box spans 180° or
    /// more of longitude and the plane test would not hold.
    meridians: Option<([f64; 2], [f64; 2])>,
    min_lon: f64,
    max_lon: f64,
}

impl EarthBox {
    /// Builds the ECEF view of a box.
    pub fn new(b: &BoundingBox) -> Self {
        let (min_lat, max_lat) = (b.min_lat().to_radians(), b.max_lat().to_radians());
        let (min_lon, max_lon) = (b.min_lon().to_radians(), b.max_lon().to_radians());
        // z grows with latitude, the parallel radius shrinks with its absolute value.
        let (min_z, max_z) = (axial_height(min_lat), axial_height(max_lat));
        let r_lo = parallel_radius(min_lat).min(parallel_radius(max_lat));
        let r_hi = if min_lat <= 0.0 && max_lat >= 0.0 {
            WGS84_A
        } else {
            parallel_radius(min_lat).max(parallel_radius(max_lat))
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
        let x = product((r_lo, r_hi), cos_lon);
        let y = product((r_lo, r_hi), sin_lon);
        // A micrometre of slack for rounding; far below any real distance.
        const PAD: f64 = 1e-6;
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

    /// Whether an ECEF point of the ellipsoid lies in the longitude/latitude box.
    pub fn contains(&self, p: &[f64; 3]) -> bool {
        if p[2] < self.min_z || p[2] > self.max_z {
            return false;
        }
        match self.meridians {
            Some((west, east)) => {
                const EPS: f64 = -1e-6;
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

    fn chord_m(a: Coordinates, b: Coordinates) -> f64 {
        let (p, q) = (to_ecef(a), to_ecef(b));
        ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
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
    fn distances_from_the_chord_match_karney() {
        let campo = pt(43.3183, 11.3317);
        for (other, tolerance) in [
            (pt(43.3179, 11.3289), 0.001), // 230 m: a millimetre
            (pt(43.4667, 11.1500), 0.05),  // Poggibonsi, 22 km
            (pt(45.4642, 9.1900), 300.0),  // Milan, 290 km
            (pt(38.1157, 13.3615), 800.0), // Palermo, 600 km
        ] {
            let karney = campo.geodesic_distance_m(other);
            let ours = metres_for_chord2(chord_m(campo, other).powi(2));
            assert!(
                (ours - karney).abs() <= tolerance,
                "{other}: {ours} vs {karney}"
            );
        }
    }

    #[test]
    fn earth_box_matches_lon_lat_membership() {
        for b in [
            "11.2,43.2,11.4,43.4",
            "-10,-5,10,5",
            "170,-80,180,80",
            "-180,-90,180,90",
            "-100,30,100,60",
        ] {
            let bbox: BoundingBox = b.parse().unwrap();
            let eb = EarthBox::new(&bbox);
            let mut lat = -89.5;
            while lat < 90.0 {
                let mut lon = -179.5;
                while lon < 180.0 {
                    let p = pt(lat, lon);
                    let xyz = to_ecef(p);
                    assert_eq!(eb.contains(&xyz), bbox.contains(p), "{b} {p}");
                    if bbox.contains(p) {
                        assert!(eb.envelope().contains_point(&xyz), "{b} {p}");
                    }
                    lon += 2.5;
                }
                lat += 2.5;
            }
        }
    }
}
