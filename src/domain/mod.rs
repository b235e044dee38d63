//! Typed domain values. Their constructors check their invariants, so a value that exists
//! is valid and can be stored and indexed without further checks.

pub mod account;
pub mod benefit;
pub mod email;
pub mod geo;
pub mod hours;
pub mod report;
pub mod service;
pub mod submission;
pub mod taxonomy;
pub mod text;

pub use self::account::Role;
pub use self::benefit::{Benefit, BenefitData, BenefitDraft, BenefitId};
pub use self::email::{Email, EmailError};
pub use self::geo::{BoundingBox, Coordinates, GeoError};
pub use self::hours::{Hours, HoursError};
pub use self::report::{Lang, Report, ReportDraft, ReportId, ReportKind, ReportStatus};
pub use self::service::{Accessibility, Service, ServiceData, ServiceId, Status, Wheelchair};
pub use self::taxonomy::{Category, QuotedSlugs, TargetGroup, Taxonomy, TaxonomyError};
