//! A large synthetic data set for benchmarks: services bunch in towns, as real ones do.
//!
//! Town centres are the real towns of the province of Siena that fall in the area, plus
//! random ones; each town's size follows a Zipf-like law and its services scatter around
//! the centre with a spread that grows with the town. Nothing here is real data: every
//! record is marked `demo` and named "(sintetico)".

use crate::domain::service::ServiceDraft;
use crate::domain::{
    Accessibility, BoundingBox, Coordinates, Service, ServiceId, Status, Taxonomy, Wheelchair,
};
use crate::store::NewService;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

pub use crate::geocode::towns::TOWNS;

const KINDS: &[(&str, &str)] = &[
    ("Centro di ascolto", "Listening centre"),
    ("Sportello sociale", "Social help desk"),
    ("Emporio solidale", "Community food store"),
    ("Ambulatorio", "Clinic"),
    ("Centro diurno", "Day centre"),
    ("Associazione di volontariato", "Volunteer association"),
    ("Patronato", "Welfare advice office"),
    ("Centro per le famiglie", "Family centre"),
];

const HOURS: &[&str] = &[
    "Mo-Fr 09:00-13:00",
    "Mo-Fr 09:00-13:00,15:00-18:00",
    "Mo,We,Fr 10:00-12:30",
    "Tu,Th 15:00-19:00",
    "Mo-Sa 08:30-12:30; PH off",
    "Mo,We 10:00-13:00; Tu 15:00-18:00",
    "24/7",
    "Mo-Fr 08:00-14:00; Sa 09:00-12:00",
];

/// `count` synthetic services inside `area`, the same for the same `seed`.
pub fn generate(
    count: usize,
    seed: u64,
    taxonomy: &Taxonomy,
    area: &BoundingBox,
) -> Vec<NewService> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let towns = towns(count, area, &mut rng);
    let total_weight: f64 = towns.iter().map(|t| t.weight).sum();
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let town = pick_town(&towns, total_weight, &mut rng);
        let Some(point) = scatter(town, area, &mut rng) else {
            continue;
        };
        let n = out.len();
        out.push(NewService {
            external_id: Some(format!("synthetic-{seed}-{n}")),
            status: Status::Published,
            data: draft(n, town, taxonomy, &mut rng)
                .validate(point, taxonomy, area, "")
                .expect("synthetic drafts are valid"),
        });
    }
    out
}

/// Like [`generate`], as stored services with ids `1..=count`, for building an index
/// without a database (benchmarks, tests). Services with the same schedule share one
/// parsed copy, as the store's scan makes them, so open-now answers are cached per
/// schedule as they are in a served index.
pub fn published(count: usize, seed: u64, taxonomy: &Taxonomy, area: &BoundingBox) -> Vec<Service> {
    let now = chrono::Utc::now();
    let mut schedules = std::collections::HashMap::new();
    generate(count, seed, taxonomy, area)
        .into_iter()
        .zip(1..)
        .map(|(mut r, id)| {
            if let Some(h) = &mut r.data.opening_hours {
                *h = schedules
                    .entry(h.raw().to_string())
                    .or_insert(h.clone())
                    .clone();
            }
            Service {
                id: ServiceId(id),
                external_id: r.external_id,
                status: Status::Published,
                data: r.data,
                created_at: now,
                updated_at: now,
                verified_at: None,
            }
        })
        .collect()
}

struct Town {
    name: String,
    centre: (f64, f64),
    weight: f64,
    spread_deg: f64,
}

fn towns(count: usize, area: &BoundingBox, rng: &mut SmallRng) -> Vec<Town> {
    let wanted = (count / 500).clamp(20, 5000);
    let mut centres: Vec<(String, f64, f64)> = TOWNS
        .iter()
        .filter(|(_, lat, lon)| Coordinates::new(*lat, *lon).is_ok_and(|p| area.contains(p)))
        .map(|(n, lat, lon)| (n.to_string(), *lat, *lon))
        .collect();
    while centres.len() < wanted {
        let lat = rng.random_range(area.min_lat()..=area.max_lat());
        let lon = rng.random_range(area.min_lon()..=area.max_lon());
        centres.push((format!("Borgo {}", centres.len() + 1), lat, lon));
    }
    centres
        .into_iter()
        .enumerate()
        .map(|(rank, (name, lat, lon))| {
            // Zipf-like: the 1st town has twice the services of the 2nd, …
            let weight = 1.0 / (rank as f64 + 1.0);
            Town {
                name,
                centre: (lat, lon),
                weight,
                spread_deg: 0.004 + 0.03 * weight.sqrt(),
            }
        })
        .collect()
}

fn pick_town<'a>(towns: &'a [Town], total: f64, rng: &mut SmallRng) -> &'a Town {
    let mut x = rng.random_range(0.0..total);
    for t in towns {
        if x < t.weight {
            return t;
        }
        x -= t.weight;
    }
    &towns[towns.len() - 1]
}

/// A point around the town centre, normally distributed (Box–Muller), inside the area.
fn scatter(town: &Town, area: &BoundingBox, rng: &mut SmallRng) -> Option<Coordinates> {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    let r = (-2.0 * u1.ln()).sqrt() * town.spread_deg;
    let (s, c) = (2.0 * std::f64::consts::PI * u2).sin_cos();
    let lat = town.centre.0 + r * s;
    // A degree of longitude is shorter than one of latitude at 43° N.
    let lon = town.centre.1 + r * c / town.centre.0.to_radians().cos();
    Coordinates::new(lat, lon)
        .ok()
        .filter(|p| area.contains(*p))
}

/// An index in `0..n` where index `i` comes up in proportion to `1 / (i + 1)^0.8`: a
/// few kinds of service are common, most are rare, as in real directories.
fn zipf(n: usize, rng: &mut SmallRng) -> usize {
    let weight = |i: usize| ((i + 1) as f64).powf(-0.8);
    let total: f64 = (0..n).map(weight).sum();
    let mut x = rng.random_range(0.0..total);
    for i in 0..n {
        x -= weight(i);
        if x < 0.0 {
            return i;
        }
    }
    n - 1
}

fn draft(n: usize, town: &Town, taxonomy: &Taxonomy, rng: &mut SmallRng) -> ServiceDraft {
    let (kind_it, kind_en) = KINDS[rng.random_range(0..KINDS.len())];
    let cats = &taxonomy.categories;
    let mut categories = vec![cats[zipf(cats.len(), rng)].slug.clone()];
    if rng.random_bool(0.3) {
        let second = cats[zipf(cats.len(), rng)].slug.clone();
        if second != categories[0] {
            categories.push(second);
        }
    }
    let groups = &taxonomy.target_groups;
    let target_groups = (0..rng.random_range(0..3))
        .map(|_| groups[rng.random_range(0..groups.len())].slug.clone())
        .collect();
    ServiceDraft {
        name: Some(format!("{kind_it} {} n. {n} (sintetico)", town.name)),
        organisation: Some(format!("Associazione {} {}", town.name, n % 97)),
        description_it: Some(format!("{kind_it} di prova per i test di carico.")),
        description_en: Some(format!("{kind_en} made up for load tests.")),
        categories,
        target_groups,
        address: Some(format!(
            "Via {} {}, {}",
            ["Roma", "Garibaldi", "Mazzini", "Dante"][n % 4],
            n % 150 + 1,
            town.name
        )),
        phone: rng
            .random_bool(0.7)
            .then(|| format!("+39 0577 {:06}", n % 1_000_000)),
        email: rng.random_bool(0.4).then(|| format!("info{n}@example.org")),
        website: None,
        opening_hours: Some(HOURS[rng.random_range(0..HOURS.len())].to_string()),
        accessibility: Some(Accessibility {
            wheelchair: [
                Wheelchair::Yes,
                Wheelchair::Limited,
                Wheelchair::No,
                Wheelchair::Unknown,
            ][n % 4],
            note_it: None,
            note_en: None,
        }),
        // Left empty so that the generated data, and the benchmarks on it, stay as they were.
        languages: Vec::new(),
        demo: Some(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_services_are_valid_clustered_and_repeatable() {
        let t = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        let a = generate(5000, 7, &t, &area);
        let b = generate(5000, 7, &t, &area);
        assert_eq!(a.len(), 5000);
        assert_eq!(a[123].data, b[123].data);
        assert!(a.iter().all(|s| area.contains(s.data.point)));
        // Clustered: Siena's 5 km radius holds far more than its share of the area.
        let siena = Coordinates::new(43.3186, 11.3306).unwrap();
        let near = a
            .iter()
            .filter(|s| s.data.point.geodesic_distance_m(siena) < 5000.0)
            .count();
        assert!(near > 500, "{near}");
    }
}
