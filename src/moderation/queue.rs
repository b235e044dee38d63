//! The moderators' queue: pending new listings, pending change proposals and open
//! citizens' reports, oldest first, each with what a moderator needs to decide — a point
//! for the map preview, nearby possible duplicates, and for a change proposal the
//! field-by-field diff against the live listing.
//!
//! Item ids are namespaced: `s-12` is submission 12, `r-5` is report 5, `p-7` is listing 7
//! imported as pending (`mappatu import --pending`) and waiting to be published (a bare
//! number names a submission).
//!
//! The queue is answered a page at a time. Items are ordered by (`created_at`, id), where
//! ids compare reports, then submissions, then pending imports, and then by number; a page ends with a
//! [`Cursor`] holding the last item's sort key, so the next page starts right after it
//! whatever was decided in between (an offset would skip an item for each decision).
//! Only the items of the page are built: duplicates and diffs are the expensive part.
//! Pending imports, which can number thousands after one file, are sorted by their keys
//! (id and arrival) and read whole only when shown.

use super::diff::{FieldChange, diff};
use super::duplicates::{Nearby, nearby};
use crate::directory::Directory;
use crate::domain::submission::{
    Contact, Submission, SubmissionId, SubmissionKind, SubmissionStatus, feature_json,
};
use crate::domain::{Lang, Report, ReportId, ReportKind, ReportStatus, Service, ServiceId, Status};
use crate::index::lookalikes::NameWarning;
use crate::store::{AuditFilter, StoreError, SubjectKind, service_snapshot};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// Which item a queue id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRef {
    /// A submission (new listing or change proposal).
    Submission(SubmissionId),
    /// A citizen's report.
    Report(ReportId),
    /// A listing imported as pending, waiting to be published or rejected.
    PendingService(ServiceId),
}

impl FromStr for ItemRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, n) = match s.split_once('-') {
            Some((k, n)) => (k, n),
            None => ("s", s),
        };
        let n = n.parse::<i64>().ok().filter(|n| *n > 0).ok_or(
            "must be s-N (a submission), r-N (a report) or p-N (a pending import), \
                 N a positive whole number",
        )?;
        match kind {
            "s" => Ok(ItemRef::Submission(SubmissionId(n))),
            "r" => Ok(ItemRef::Report(ReportId(n))),
            "p" => Ok(ItemRef::PendingService(ServiceId(n))),
            _ => Err("must be s-N (a submission), r-N (a report) or p-N (a pending import)".into()),
        }
    }
}

impl ItemRef {
    /// The queue's order among items of the same time: reports (`r-`) before submissions
    /// (`s-`) before pending imports (`p-`), then by number.
    fn order_key(self) -> (u8, i64) {
        match self {
            ItemRef::Report(id) => (0, id.0),
            ItemRef::Submission(id) => (1, id.0),
            ItemRef::PendingService(id) => (2, id.0),
        }
    }
}

impl Ord for ItemRef {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order_key().cmp(&other.order_key())
    }
}

impl PartialOrd for ItemRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The most items one page of the queue holds.
pub const MAX_PAGE: usize = 200;
/// The number of items a page holds when no `limit` is given.
pub const DEFAULT_PAGE: usize = 50;

/// An item's place in the queue: its arrival time, then its id. Given out (encoded) as
/// `next_cursor`; a page `after` it starts with the first item that sorts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    created_at: DateTime<Utc>,
    item: ItemRef,
}

impl Cursor {
    /// The opaque text handed to clients: URL-safe base64 of `time|id`.
    pub fn encode(&self) -> String {
        let raw = format!(
            "{}|{}",
            self.created_at.to_rfc3339_opts(SecondsFormat::Nanos, true),
            self.item
        );
        URL_SAFE_NO_PAD.encode(raw)
    }
}

impl FromStr for Cursor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        const BAD: &str = "is not a cursor this server gave out (use next_cursor as it is)";
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| BAD.to_string())?;
        let raw = String::from_utf8(bytes).map_err(|_| BAD.to_string())?;
        let (time, item) = raw.split_once('|').ok_or(BAD)?;
        let created_at = DateTime::parse_from_rfc3339(time)
            .map_err(|_| BAD.to_string())?
            .with_timezone(&Utc);
        if !["s-", "r-", "p-"].iter().any(|p| item.starts_with(p)) {
            return Err(BAD.into());
        }
        let item = item.parse::<ItemRef>().map_err(|_| BAD.to_string())?;
        Ok(Cursor { created_at, item })
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ItemRef::Submission(id) => write!(f, "s-{id}"),
            ItemRef::Report(id) => write!(f, "r-{id}"),
            ItemRef::PendingService(id) => write!(f, "p-{id}"),
        }
    }
}

/// What a queue item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A new listing asking to be published (a submission or a pending import).
    New,
    /// A change proposal for a published listing.
    Change,
    /// A citizen's report on a listing.
    Report,
}

/// A submission as moderators see it, private contact included.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionView {
    /// Submission id.
    pub id: i64,
    /// `new` or `change`.
    pub kind: SubmissionKind,
    /// Where it is.
    pub status: SubmissionStatus,
    /// The proposed listing, a GeoJSON Feature.
    #[schema(value_type = Object)]
    pub feature: Value,
    /// The submitter's private contact.
    pub contact: Contact,
    /// The language to write to the submitter in.
    pub lang: Lang,
    /// The moderator's reason or message, once decided.
    pub reason: Option<String>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<&Submission> for SubmissionView {
    fn from(s: &Submission) -> Self {
        SubmissionView {
            id: s.id.0,
            kind: s.kind,
            status: s.status,
            feature: feature_json(&s.data),
            contact: s.contact.clone(),
            lang: s.lang,
            reason: s.reason.clone(),
            created_at: s.created_at,
            decided_at: s.decided_at,
        }
    }
}

/// A citizen's report as moderators see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    /// Report id.
    pub id: i64,
    /// What is wrong.
    pub kind: ReportKind,
    /// The citizen's words (plain text).
    pub message: Option<String>,
    /// The language it was written in.
    pub lang: Lang,
    /// `open`, `resolved` or `dismissed`.
    pub status: ReportStatus,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// The moderator's note, once closed.
    pub resolution_note: Option<String>,
}

impl From<&Report> for ReportView {
    fn from(r: &Report) -> Self {
        ReportView {
            id: r.id.0,
            kind: r.kind,
            message: r.message.clone(),
            lang: r.lang,
            status: r.status,
            created_at: r.created_at,
            resolution_note: r.resolution_note.clone(),
        }
    }
}

/// One item of the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueItem {
    /// `s-N` for a submission, `r-N` for a report, `p-N` for a listing imported as pending:
    /// use it in `/api/moderation/items/{id}/…`.
    #[schema(example = "s-12")]
    pub id: String,
    /// New listing, change proposal or report.
    pub kind: ItemKind,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// The name to show: the proposed name, or the reported listing's.
    pub title: String,
    /// Where to show it on the map preview: `[longitude, latitude]`.
    pub point: [f64; 2],
    /// The listing concerned (a change's, a report's or a pending import's).
    pub service_id: Option<i64>,
    /// True for a listing imported from a file as pending (`p-N`): it has no submitter to
    /// write to, so it can only be approved or rejected. Absent otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub imported: bool,
    /// The submission (new listings and change proposals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission: Option<SubmissionView>,
    /// The report (reports only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportView>,
    /// The live listing (change proposals, reports and pending imports), with its status.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub live: Option<Value>,
    /// Published listings within 200 m, nearest first; `possible_duplicate` flags the ones
    /// with a similar name.
    pub duplicates: Vec<Nearby>,
    /// Warnings about the proposed name (new listings, change proposals, pending imports;
    /// empty for reports): words that mix scripts, and published listings anywhere whose
    /// names it imitates (same Unicode confusable skeleton, or the same but for case and
    /// accents, while the text differs). Mixed scripts first, then look-alikes by id.
    pub name_warnings: Vec<NameWarning>,
    /// For change proposals: every field that differs from the live listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Vec<FieldChange>>,
}

/// How many items of each kind wait.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct QueueCounts {
    /// New listings.
    pub new: usize,
    /// Change proposals.
    pub change: usize,
    /// Open reports.
    pub report: usize,
    /// All of them.
    pub total: usize,
}

/// A page of the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Queue {
    /// Counts per kind (of the whole queue, whatever the `kind` filter and the page).
    pub counts: QueueCounts,
    /// The items of this page, oldest first (then by id: `r-`, `s-`, `p-`, then by number).
    pub items: Vec<QueueItem>,
    /// Pass as `after` for the next page; null on the last page. Opaque: it names the
    /// last item's place, so items decided meanwhile do not shift the next page.
    #[schema(example = "MjAyNi0wMS0wMVQwMDowMDowMi4wMDAwMDAwMDBafHMtMg")]
    pub next_cursor: Option<String>,
    /// How many items (of the `kind` asked for) come after this page.
    pub remaining: usize,
}

/// What a page of the queue is read from: the sort key of a pending item, before the item
/// (with its duplicates and diff) is built.
enum Row<'a> {
    Submission(&'a Submission),
    Report(&'a Report),
    /// A pending import, by id and arrival: the whole service is read only if it is shown.
    PendingService(ServiceId, DateTime<Utc>),
}

impl Row<'_> {
    fn kind(&self) -> ItemKind {
        match self {
            Row::Submission(s) => match s.kind {
                SubmissionKind::New => ItemKind::New,
                SubmissionKind::Change => ItemKind::Change,
            },
            Row::Report(_) => ItemKind::Report,
            Row::PendingService(..) => ItemKind::New,
        }
    }

    /// Where the item sorts: when it arrived, then its id.
    fn key(&self) -> Cursor {
        let (created_at, item) = match self {
            Row::Submission(s) => (s.created_at, ItemRef::Submission(s.id)),
            Row::Report(r) => (r.created_at, ItemRef::Report(r.id)),
            Row::PendingService(id, created_at) => (*created_at, ItemRef::PendingService(*id)),
        };
        Cursor { created_at, item }
    }
}

/// One page of the queue, or of the items of one kind: at most `limit` items, oldest first,
/// starting after `after`. Counts are of the whole queue.
pub async fn build(
    dir: &Directory,
    only: Option<ItemKind>,
    after: Option<Cursor>,
    limit: usize,
) -> Result<Queue, StoreError> {
    let subs = dir
        .store()
        .submissions(Some(SubmissionStatus::Pending))
        .await?;
    let reports = dir.store().reports(Some(ReportStatus::Open)).await?;
    let imports = dir
        .store()
        .service_keys_with_status(Status::Pending)
        .await?;
    let all = subs
        .iter()
        .map(Row::Submission)
        .chain(imports.iter().map(|&(id, at)| Row::PendingService(id, at)))
        .chain(reports.iter().map(Row::Report));
    let mut counts = QueueCounts::default();
    let mut rows: Vec<(Cursor, Row<'_>)> = Vec::new();
    for row in all {
        let kind = row.kind();
        match kind {
            ItemKind::New => counts.new += 1,
            ItemKind::Change => counts.change += 1,
            ItemKind::Report => counts.report += 1,
        }
        let key = row.key();
        if only.is_none_or(|k| k == kind) && after.is_none_or(|a| key > a) {
            rows.push((key, row));
        }
    }
    counts.total = counts.new + counts.change + counts.report;
    rows.sort_unstable_by_key(|(key, _)| *key);
    let shown = rows.len().min(limit);
    let next_cursor = if rows.len() > shown && shown > 0 {
        Some(rows[shown - 1].0.encode())
    } else {
        None
    };
    let mut items = Vec::with_capacity(shown);
    for (_, row) in &rows[..shown] {
        items.push(match row {
            Row::Submission(sub) => submission_item(dir, sub).await?,
            Row::Report(rep) => report_item(dir, rep).await?,
            Row::PendingService(id, _) => match dir.store().get(*id).await? {
                Some(svc) if svc.status == Status::Pending => import_item(dir, &svc).await,
                // Decided (or deleted) since its key was read: no longer in the queue.
                _ => continue,
            },
        });
    }
    Ok(Queue {
        counts,
        items,
        next_cursor,
        remaining: rows.len() - shown,
    })
}

/// One item, whatever its state (decided items too).
pub async fn item(dir: &Directory, r: ItemRef) -> Result<Option<QueueItem>, StoreError> {
    match r {
        ItemRef::Submission(id) => match dir.store().submission(id).await? {
            Some(s) => Ok(Some(submission_item(dir, &s).await?)),
            None => Ok(None),
        },
        ItemRef::Report(id) => match dir.store().report(id).await? {
            Some(rep) => Ok(Some(report_item(dir, &rep).await?)),
            None => Ok(None),
        },
        // Decided too: `live.status` then says how (published or rejected). Any other
        // listing was never a pending import, and calling it one would mislead.
        ItemRef::PendingService(id) => match dir.store().get(id).await? {
            Some(svc) if svc.status == Status::Pending || decided_import(dir, id).await? => {
                Ok(Some(import_item(dir, &svc).await))
            }
            _ => Ok(None),
        },
    }
}

/// Whether a moderator approved or rejected the listing as a pending import: the audit
/// log is where that is kept.
async fn decided_import(dir: &Directory, id: ServiceId) -> Result<bool, StoreError> {
    for action in ["service.approve", "service.reject"] {
        let entries = dir
            .store()
            .audit_entries(&AuditFilter {
                action: Some(action.into()),
                subject_kind: Some(SubjectKind::Service),
                subject_id: Some(id.0),
                limit: 1,
                ..AuditFilter::default()
            })
            .await?;
        if !entries.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn submission_item(dir: &Directory, s: &Submission) -> Result<QueueItem, StoreError> {
    let (kind, live) = match s.kind {
        SubmissionKind::New => (ItemKind::New, None),
        SubmissionKind::Change => {
            let live = match s.service_id {
                Some(id) => dir.store().get(id).await?,
                None => None,
            };
            (ItemKind::Change, live)
        }
    };
    // A new listing is compared with everything around it; a change with everything but
    // itself (a decided new listing with its own published self too).
    let exclude: Option<ServiceId> = s.service_id;
    Ok(QueueItem {
        id: ItemRef::Submission(s.id).to_string(),
        kind,
        created_at: s.created_at,
        title: s.data.name.clone(),
        point: s.data.point.to_lon_lat(),
        service_id: s.service_id.map(|i| i.0),
        imported: false,
        submission: Some(SubmissionView::from(s)),
        report: None,
        diff: live.as_ref().map(|l| diff(&l.data, &s.data)),
        live: live.as_ref().map(service_snapshot),
        duplicates: nearby(dir.index(), s.data.point, &s.data.name, exclude),
        name_warnings: dir
            .name_skeletons()
            .warnings(dir.index(), &s.data.name, exclude)
            .await,
    })
}

async fn report_item(dir: &Directory, r: &Report) -> Result<QueueItem, StoreError> {
    let live = dir.store().get(r.service_id).await?;
    let (title, point) = match &live {
        Some(l) => (l.data.name.clone(), l.data.point.to_lon_lat()),
        None => (
            format!("#{}", r.service_id),
            dir.area().centre().to_lon_lat(),
        ),
    };
    Ok(QueueItem {
        id: ItemRef::Report(r.id).to_string(),
        kind: ItemKind::Report,
        created_at: r.created_at,
        title,
        point,
        service_id: Some(r.service_id.0),
        imported: false,
        submission: None,
        report: Some(ReportView::from(r)),
        live: live.as_ref().map(service_snapshot),
        duplicates: Vec::new(),
        name_warnings: Vec::new(),
        diff: None,
    })
}

/// A listing imported as pending: a new listing without a submitter.
async fn import_item(dir: &Directory, svc: &Service) -> QueueItem {
    QueueItem {
        id: ItemRef::PendingService(svc.id).to_string(),
        kind: ItemKind::New,
        created_at: svc.created_at,
        title: svc.data.name.clone(),
        point: svc.data.point.to_lon_lat(),
        service_id: Some(svc.id.0),
        imported: true,
        submission: None,
        report: None,
        live: Some(service_snapshot(svc)),
        duplicates: nearby(dir.index(), svc.data.point, &svc.data.name, Some(svc.id)),
        name_warnings: dir
            .name_skeletons()
            .warnings(dir.index(), &svc.data.name, Some(svc.id))
            .await,
        diff: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_ids() {
        assert_eq!(
            "s-12".parse::<ItemRef>(),
            Ok(ItemRef::Submission(SubmissionId(12)))
        );
        assert_eq!(
            "12".parse::<ItemRef>(),
            Ok(ItemRef::Submission(SubmissionId(12)))
        );
        assert_eq!("r-5".parse::<ItemRef>(), Ok(ItemRef::Report(ReportId(5))));
        assert_eq!(
            "p-7".parse::<ItemRef>(),
            Ok(ItemRef::PendingService(ServiceId(7)))
        );
        assert_eq!(ItemRef::PendingService(ServiceId(7)).to_string(), "p-7");
        for bad in ["x-1", "s-0", "r-", "s-1.5", "p-0", "p-", ""] {
            assert!(bad.parse::<ItemRef>().is_err(), "{bad}");
        }
        assert_eq!(ItemRef::Report(ReportId(5)).to_string(), "r-5");
    }

    #[test]
    fn ids_order_reports_first_then_by_number() {
        let s = |n| ItemRef::Submission(SubmissionId(n));
        let r = |n| ItemRef::Report(ReportId(n));
        assert!(s(9) < s(12), "by number, not as text");
        assert!(r(100) < s(1));
        let p = |n| ItemRef::PendingService(ServiceId(n));
        assert!(s(100) < p(1));
        assert!(p(2) < p(10));
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let at = DateTime::parse_from_rfc3339("2026-03-04T05:06:07.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        for item in [
            ItemRef::Submission(SubmissionId(12)),
            ItemRef::Report(ReportId(5)),
            ItemRef::PendingService(ServiceId(7)),
        ] {
            let c = Cursor {
                created_at: at,
                item,
            };
            assert_eq!(c.encode().parse::<Cursor>(), Ok(c));
        }
        let enc = |raw: &str| URL_SAFE_NO_PAD.encode(raw);
        for bad in [
            String::new(),
            "garbage".into(),
            "!!!".into(),
            enc("2026-03-04T05:06:07Z"),
            enc("2026-03-04T05:06:07Z|12"),
            enc("2026-03-04T05:06:07Z|s-0"),
            enc("yesterday|s-1"),
            URL_SAFE_NO_PAD.encode([0xff, 0xfe]),
        ] {
            assert!(bad.parse::<Cursor>().is_err(), "{bad}");
        }
    }
}
