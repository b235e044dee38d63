//! Coordinates and bounding boxes in WGS84 degrees.
//!
//! Field names say which axis is which: GeoJSON and bounding-box strings are `lon, lat`,
//! query strings and [`Coordinates::new`] are `lat, lon`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why a coordinate or a bounding box is not acceptable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeoError {
    /// Latitude outside -90..=90 or not a finite number.
    #[error("latitude must be a number between -90 and 90, got {0}")]
    Latitude(String),
    /// Longitude outside -180..=180 or not a finite number.
    #[error("longitude must be a number between -180 and 180, got {0}")]
    Longitude(String),
    /// A bounding box string that is not four comma-separated numbers.
    #[error("must be four comma-separated numbers minLon,minLat,maxLon,maxLat, got {0:?}")]
    BoxFormat(String),
    /// A bounding box whose minimum exceeds its maximum on some axis.
    #[error("minimum {axis} {min} is greater than maximum {axis} {max}")]
    BoxOrder {
        /// `longitude` or `latitude`.
        axis: &'static str,
        /// The minimum given.
        min: f64,
        /// The maximum given.
        max: f64,
    },
}

/// A point on the WGS84 ellipsoid, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    lat: f64,
    lon: f64,
}

impl Coordinates {
    /// Builds a point from latitude and longitude, in that order.
    pub fn new(lat: f64, lon: f64) -> Result<Self, GeoError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(GeoError::Latitude(lat.to_string()));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(GeoError::Longitude(lon.to_string()));
        }
        Ok(Self { lat, lon })
    }

    /// Builds a point from a GeoJSON position, which is `[lon, lat]`.
    pub fn from_lon_lat(lon: f64, lat: f64) -> Result<Self, GeoError> {
        Self::new(lat, lon)
    }

    /// Latitude in degrees.
    pub fn lat(self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    pub fn lon(self) -> f64 {
        self.lon
    }

    /// The GeoJSON position `[lon, lat]` (RFC 7946 order).
    pub fn to_lon_lat(self) -> [f64; 2] {
        [self.lon, self.lat]
    }

    /// Geodesic distance in metres on the WGS84 ellipsoid (Karney's algorithm).
    pub fn geodesic_distance_m(self, other: Coordinates) -> f64 {
        use ::geo::{Distance, Geodesic, Point};
        Geodesic.distance(
            Point::new(self.lon, self.lat),
            Point::new(other.lon, other.lat),
        )
    }
}

impl fmt::Display for Coordinates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lat {:.6}, lon {:.6}", self.lat, self.lon)
    }
}

/// An axis-aligned box in longitude and latitude that does not cross the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
}

impl BoundingBox {
    /// Builds a box from its south-west and north-east corners.
    pub fn new(south_west: Coordinates, north_east: Coordinates) -> Result<Self, GeoError> {
        if south_west.lon > north_east.lon {
            return Err(GeoError::BoxOrder {
                axis: "longitude",
                min: south_west.lon,
                max: north_east.lon,
            });
        }
        if south_west.lat > north_east.lat {
            return Err(GeoError::BoxOrder {
                axis: "latitude",
                min: south_west.lat,
                max: north_east.lat,
            });
        }
        Ok(Self {
            min_lon: south_west.lon,
            min_lat: south_west.lat,
            max_lon: north_east.lon,
            max_lat: north_east.lat,
        })
    }

    /// The province of Siena, rounded outwards: the directory's default area.
    pub fn siena_province() -> Self {
        Self {
            min_lon: 10.90,
            min_lat: 42.78,
            max_lon: 12.00,
            max_lat: 43.56,
        }
    }

    /// Italy with its islands, for a national directory.
    pub fn italy() -> Self {
        Self {
            min_lon: 6.60,
            min_lat: 35.48,
            max_lon: 18.53,
            max_lat: 47.10,
        }
    }

    /// Western longitude.
    pub fn min_lon(&self) -> f64 {
        self.min_lon
    }
    /// Southern latitude.
    pub fn min_lat(&self) -> f64 {
        self.min_lat
    }
    /// Eastern longitude.
    pub fn max_lon(&self) -> f64 {
        self.max_lon
    }
    /// Northern latitude.
    pub fn max_lat(&self) -> f64 {
        self.max_lat
    }

    /// The middle of the box.
    pub fn centre(&self) -> Coordinates {
        Coordinates {
            lat: (self.min_lat + self.max_lat) / 2.0,
            lon: (self.min_lon + self.max_lon) / 2.0,
        }
    }

    /// Whether the point lies inside the box or on its edge.
    pub fn contains(&self, p: Coordinates) -> bool {
        (self.min_lon..=self.max_lon).contains(&p.lon)
            && (self.min_lat..=self.max_lat).contains(&p.lat)
    }

    /// The part of this box that also lies in `other`, if any.
    pub fn intersection(&self, other: &BoundingBox) -> Option<BoundingBox> {
        let b = BoundingBox {
            min_lon: self.min_lon.max(other.min_lon),
            min_lat: self.min_lat.max(other.min_lat),
            max_lon: self.max_lon.min(other.max_lon),
            max_lat: self.max_lat.min(other.max_lat),
        };
        (b.min_lon <= b.max_lon && b.min_lat <= b.max_lat).then_some(b)
    }
}

impl fmt::Display for BoundingBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{},{},{},{}",
            self.min_lon, self.min_lat, self.max_lon, self.max_lat
        )
    }
}

/// Parses `minLon,minLat,maxLon,maxLat` (the order of GeoJSON's `bbox` member).
impl FromStr for BoundingBox {
    type Err = GeoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Echo at most a few dozen characters of a malformed value back.
        let shown = || GeoError::BoxFormat(s.chars().take(60).collect());
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(shown());
        }
        let mut n = [0.0_f64; 4];
        for (slot, part) in n.iter_mut().zip(&parts) {
            *slot = part
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(shown)?;
        }
        let [min_lon, min_lat, max_lon, max_lat] = n;
        BoundingBox::new(
            Coordinates::new(min_lat, min_lon)?,
            Coordinates::new(max_lat, max_lon)?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_reject_out_of_range_and_nan() {
        assert!(Coordinates::new(91.0, 11.0).is_err());
        assert!(Coordinates::new(43.0, 181.0).is_err());
        assert!(Coordinates::new(f64::NAN, 11.0).is_err());
        let p = Coordinates::new(43.3, 11.3).unwrap();
        assert_eq!(p.to_lon_lat(), [11.3, 43.3]);
    }

    #[test]
    fn bbox_parses_in_lon_lat_order_and_checks_order() {
        let b: BoundingBox = "11.2,43.2,11.4,43.4".parse().unwrap();
        assert!(b.contains(Coordinates::new(43.3, 11.3).unwrap()));
        assert!(!b.contains(Coordinates::new(11.3, 43.3).unwrap()));
        assert!(matches!(
            "11.4,43.2,11.2,43.4".parse::<BoundingBox>(),
            Err(GeoError::BoxOrder {
                axis: "longitude",
                ..
            })
        ));
        assert!(matches!(
            "11.2,43.2,11.4".parse::<BoundingBox>(),
            Err(GeoError::BoxFormat(_))
        ));
        assert!("11.2,43.2,11.4,nan".parse::<BoundingBox>().is_err());
    }

    #[test]
    fn geodesic_distance_is_in_metres() {
        let campo = Coordinates::new(43.3183, 11.3317).unwrap();
        let duomo = Coordinates::new(43.3179, 11.3289).unwrap();
        let d = campo.geodesic_distance_m(duomo);
        assert!((200.0..260.0).contains(&d), "{d}");
    }
}
