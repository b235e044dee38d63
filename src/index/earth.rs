//! Points in Earth-centred, Earth-fixed (ECEF) coordinates on the WGS84 ellipsoid, metres.
//!
//! Each service is kept as an ECEF point, turned into a local [`Frame`]. The straight-line
//! (chord) distance between two points on the ellipsoid orders them as the geodesic
//! distance does, so a Euclidean nearest-neighbour search returns services in distance
//! order anywhere on Earth, with no map projection that distorts away from a reference
//! latitude. The R-trees index the points' [`plan`] positions, whose distances never exceed
//! the chord, so they bound the search without changing its answer. The geodesic length
//! follows from the chord: the arc of a circle of the Earth's mean radius over it, which is
//! within a millimetre of Karney's geodesic at city scale and within 0.1 % at a thousand
//! kilometres, at a fraction of the cost (at intercontinental range it runs short: about
//! 2 % near the antipode).

use crate::domain::{BoundingBox, Coordinates};
use rstar::AABB;

/// Mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// WGS84 semi-major axis, metres.
const WGS84_A: f64 = 6_378_137.0;
/// WGS84 first eccentricity squared.
const WGS84_E2: f64 = 6.694_379_990_141_316e-3;

/// A position in a [`Frame`] seen from above: its east and north metres, the height left
/// out. The distance between two plan positions is never more than between the points.
pub fn plan(xyz: &[f64; 3]) -> [f64; 2] {
    [xyz[0], xyz[1]]
}

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

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// A local frame: ECEF rotated so that, at the directory's centre, the axes point east,
/// north and up. Distances do not change; the services, which lie on a nearly flat patch
/// of the ellipsoid, are then indexed by their plan position ([`plan`]) in compact,
/// axis-aligned boxes, and a longitude/latitude box maps to a tight envelope.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    east: [f64; 3],
    north: [f64; 3],
    up: [f64; 3],
}

impl Frame {
    /// The frame centred on `c`.
    pub fn centred_on(c: Coordinates) -> Self {
        let (lat, lon) = (c.lat().to_radians(), c.lon().to_radians());
        let (sin_lat, cos_lat) = lat.sin_cos();
        let (sin_lon, cos_lon) = lon.sin_cos();
        Self {
            east: [-sin_lon, cos_lon, 0.0],
            north: [-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat],
            up: [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat],
        }
    }

    /// An ECEF vector in this frame.
    fn rotate(&self, v: [f64; 3]) -> [f64; 3] {
        [dot(v, self.east), dot(v, self.north), dot(v, self.up)]
    }

    /// A point's position in this frame, metres.
    pub fn position(&self, p: Coordinates) -> [f64; 3] {
        self.rotate(to_ecef(p))
    }
}

/// A longitude/latitude box as seen by the tree: an enclosing axis-aligned box for the
/// tree search, and an exact membership test for the candidates it returns.
pub struct EarthBox {
    envelope: AABB<[f64; 2]>,
    /// The Earth's axis in the frame: a point's ECEF z is its component along it.
    polar_axis: [f64; 3],
    min_z: f64,
    max_z: f64,
    /// Normals of the west and east meridian planes, in the frame; `None` when the box
    /// spans 180° or more of longitude and the plane test would not hold.
    meridians: Option<([f64; 3], [f64; 3])>,
    frame: Frame,
    min_lon: f64,
    max_lon: f64,
}

/// A micrometre of slack for rounding in the exact test; far below any real distance.
const PAD: f64 = 1e-6;

impl EarthBox {
    /// Builds the view of a box in `frame`.
    pub fn new(b: &BoundingBox, frame: &Frame) -> Self {
        let envelope = Self::envelope_of(b, frame);
        let (min_lat, max_lat) = (b.min_lat().to_radians(), b.max_lat().to_radians());
        let (min_lon, max_lon) = (b.min_lon().to_radians(), b.max_lon().to_radians());
        let meridians = (b.max_lon() - b.min_lon() < 180.0).then(|| {
            (
                frame.rotate([-min_lon.sin(), min_lon.cos(), 0.0]),
                frame.rotate([max_lon.sin(), -max_lon.cos(), 0.0]),
            )
        });
        Self {
            envelope,
            polar_axis: frame.rotate([0.0, 0.0, 1.0]),
            min_z: axial_height(min_lat) - PAD,
            max_z: axial_height(max_lat) + PAD,
            meridians,
            frame: *frame,
            min_lon: b.min_lon(),
            max_lon: b.max_lon(),
        }
    }

    /// A plan envelope holding every point of the box: the extremes of its edges, sampled
    /// finely and padded by more than the edges can bulge between samples. Boxes wider
    /// than a few hundred kilometres get an unbounded envelope (every candidate is then
    /// tested exactly); they are rare and paged.
    fn envelope_of(b: &BoundingBox, frame: &Frame) -> AABB<[f64; 2]> {
        const WIDE_DEG: f64 = 15.0;
        if b.max_lat() - b.min_lat() > WIDE_DEG
            || b.max_lon() - b.min_lon() > WIDE_DEG
            || b.min_lat().abs().max(b.max_lat().abs()) > 80.0
        {
            return AABB::from_corners([-1e9; 2], [1e9; 2]);
        }
        const STEPS: usize = 4;
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        let mut add = |lat: f64, lon: f64| {
            if let Ok(c) = Coordinates::new(lat, lon) {
                let p = plan(&frame.position(c));
                for i in 0..2 {
                    lo[i] = lo[i].min(p[i]);
                    hi[i] = hi[i].max(p[i]);
                }
            }
        };
        for i in 0..=STEPS {
            let t = i as f64 / STEPS as f64;
            let lat = b.min_lat() + t * (b.max_lat() - b.min_lat());
            let lon = b.min_lon() + t * (b.max_lon() - b.min_lon());
            add(lat, b.min_lon());
            add(lat, b.max_lon());
            add(b.min_lat(), lon);
            add(b.max_lat(), lon);
        }
        // Between samples an edge strays from the straight line by at most step²/(8·r),
        // r the smallest radius of curvature along it (a parallel's, near the pole side),
        // plus a metre for rounding.
        let far_lat = b.min_lat().abs().max(b.max_lat().abs()).to_radians();
        let r = parallel_radius(far_lat).max(1e5);
        let step_m = (b.max_lat() - b.min_lat())
            .max(b.max_lon() - b.min_lon())
            .to_radians()
            * WGS84_A
            / STEPS as f64;
        let slack = step_m * step_m / (8.0 * r) + 1.0;
        AABB::from_corners(
            [lo[0] - slack, lo[1] - slack],
            [hi[0] + slack, hi[1] + slack],
        )
    }

    /// The enclosing plan box for the tree search.
    pub fn envelope(&self) -> &AABB<[f64; 2]> {
        &self.envelope
    }

    /// Whether a point (in the frame) lies in the longitude/latitude box.
    pub fn contains(&self, p: &[f64; 3]) -> bool {
        let z = dot(*p, self.polar_axis);
        if z < self.min_z || z > self.max_z {
            return false;
        }
        match self.meridians {
            Some((west, east)) => dot(*p, west) >= -PAD && dot(*p, east) >= -PAD,
            None => {
                let x = dot(*p, self.frame.rotate([1.0, 0.0, 0.0]));
                let y = dot(*p, self.frame.rotate([0.0, 1.0, 0.0]));
                let lon = y.atan2(x).to_degrees();
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
            "10,40,20,45",
            "11.3,43.3,11.300001,43.300001",
            "-10,-5,10,5",
            "170,-80,180,80",
            "-180,-90,180,90",
            "-100,30,100,60",
        ] {
            let bbox: BoundingBox = b.parse().unwrap();
            let frame = Frame::centred_on(pt(43.3, 11.3));
            let eb = EarthBox::new(&bbox, &frame);
            let mut lat = -89.5;
            while lat < 90.0 {
                let mut lon = -179.5;
                while lon < 180.0 {
                    let p = pt(lat, lon);
                    let xyz = frame.position(p);
                    assert_eq!(eb.contains(&xyz), bbox.contains(p), "{b} {p}");
                    if bbox.contains(p) {
                        assert!(eb.envelope().contains_point(&plan(&xyz)), "{b} {p}");
                    }
                    lon += 2.5;
                }
                lat += 2.5;
            }
        }
    }

    #[test]
    fn small_boxes_are_exact_near_their_edges() {
        let frame = Frame::centred_on(pt(43.17, 11.45));
        let bbox: BoundingBox = "11.32,43.31,11.34,43.325".parse().unwrap();
        let eb = EarthBox::new(&bbox, &frame);
        for i in 0..=200 {
            for j in 0..=200 {
                let p = pt(43.30 + i as f64 * 0.000137, 11.31 + j as f64 * 0.000173);
                let xyz = frame.position(p);
                assert_eq!(eb.contains(&xyz), bbox.contains(p), "{p}");
                if bbox.contains(p) {
                    assert!(eb.envelope().contains_point(&plan(&xyz)), "{p}");
                }
            }
        }
    }
}
