//! The texts of the emails to submitters, in Italian and English (the submission's
//! language). Plain text: whatever a submitter or a moderator wrote stays text.

use super::Notifier;
use crate::domain::Lang;
use crate::domain::submission::{EditToken, Submission, SubmissionKind, SubmissionStatus};

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// The receipt of a submission: tracking code, status page, and for a new listing its
/// private edit link (this message and the 201 answer are the only places it appears).
pub fn received(n: &Notifier, s: &Submission, token: Option<&EditToken>) -> Option<Email> {
    let code = s.tracking_code.as_str();
    let status = status_link(n, s);
    let name = &s.data.name;
    let edit = token.map(|t| t.secret().to_string());
    let (subject, mut body) = match (s.lang, s.kind) {
        (Lang::It, SubmissionKind::New) => (
            format!("MappaTU: richiesta ricevuta ({code})"),
            format!(
                "Gentile {},\n\nabbiamo ricevuto la richiesta di inserire «{name}» nella mappa \
                 dei servizi. Un moderatore la esaminerà al più presto.\n\n\
                 Codice di verifica: {code}\nStato della richiesta: {status}\n",
                s.contact.name
            ),
        ),
        (Lang::It, SubmissionKind::Change) => (
            format!("MappaTU: proposta di modifica ricevuta ({code})"),
            format!(
                "Gentile {},\n\nabbiamo ricevuto la proposta di modifica di «{name}». La scheda \
                 pubblica non cambia finché un moderatore non la approva.\n\n\
                 Codice di verifica: {code}\nStato della proposta: {status}\n",
                s.contact.name
            ),
        ),
        (Lang::En, SubmissionKind::New) => (
            format!("MappaTU: request received ({code})"),
            format!(
                "Dear {},\n\nwe have received the request to list \"{name}\" on the map of \
                 services. A moderator will review it soon.\n\n\
                 Tracking code: {code}\nStatus: {status}\n",
                s.contact.name
            ),
        ),
        (Lang::En, SubmissionKind::Change) => (
            format!("MappaTU: change proposal received ({code})"),
            format!(
                "Dear {},\n\nwe have received the proposed changes to \"{name}\". The public \
                 listing does not change until a moderator approves them.\n\n\
                 Tracking code: {code}\nStatus: {status}\n",
                s.contact.name
            ),
        ),
    };
    if let Some(token) = edit {
        // The secret travels in the fragment, which browsers never send to a server.
        let link = n.link(&format!("/modifica#{code}.{token}"));
        body.push_str(&match s.lang {
            Lang::It => format!(
                "\nLink privato per proporre modifiche alla scheda, valido quando sarà \
                 pubblicata (non condividerlo): {link}\n"
            ),
            Lang::En => format!(
                "\nPrivate link to propose changes to the listing, valid once it is published \
                 (do not share it): {link}\n"
            ),
        });
    }
    body.push_str(signature(s.lang));
    Some(Email { subject, body })
}

/// The moderator's decision; `None` for a submission still pending.
pub fn decided(n: &Notifier, s: &Submission) -> Option<Email> {
    let code = s.tracking_code.as_str();
    let name = &s.data.name;
    let who = &s.contact.name;
    let reason = s.reason.as_deref().unwrap_or("");
    let listing = s
        .service_id
        .map(|id| n.link(&format!("/?service={id}")))
        .unwrap_or_default();
    let (subject, body) = match (s.lang, s.status) {
        (_, SubmissionStatus::Pending) => return None,
        (Lang::It, SubmissionStatus::Published) => (
            format!("MappaTU: «{name}» è pubblicato ({code})"),
            format!(
                "Gentile {who},\n\nla richiesta {code} è stata approvata: «{name}» è ora \
                 visibile nella mappa.\n{listing}\n"
            ),
        ),
        (Lang::En, SubmissionStatus::Published) => (
            format!("MappaTU: \"{name}\" is published ({code})"),
            format!(
                "Dear {who},\n\nrequest {code} was approved: \"{name}\" is now on the map.\n\
                 {listing}\n"
            ),
        ),
        (Lang::It, SubmissionStatus::Merged) => (
            format!("MappaTU: «{name}» era già nella mappa ({code})"),
            format!(
                "Gentile {who},\n\nil servizio della richiesta {code} era già presente nella \
                 mappa: le informazioni inviate sono state unite alla scheda esistente.\n\
                 {listing}\n"
            ),
        ),
        (Lang::En, SubmissionStatus::Merged) => (
            format!("MappaTU: \"{name}\" was already on the map ({code})"),
            format!(
                "Dear {who},\n\nthe service of request {code} was already on the map: the \
                 information you sent was merged into the existing listing.\n{listing}\n"
            ),
        ),
        (Lang::It, SubmissionStatus::Rejected) => (
            format!("MappaTU: richiesta non accolta ({code})"),
            format!(
                "Gentile {who},\n\nla richiesta {code} («{name}») non è stata accolta.\n\n\
                 Motivo:\n{reason}\n"
            ),
        ),
        (Lang::En, SubmissionStatus::Rejected) => (
            format!("MappaTU: request not accepted ({code})"),
            format!(
                "Dear {who},\n\nrequest {code} (\"{name}\") was not accepted.\n\n\
                 Reason:\n{reason}\n"
            ),
        ),
        (Lang::It, SubmissionStatus::ChangesRequested) => (
            format!("MappaTU: servono modifiche ({code})"),
            format!(
                "Gentile {who},\n\nper pubblicare «{name}» (richiesta {code}) il moderatore \
                 chiede alcune modifiche:\n\n{reason}\n\nInvii una nuova richiesta con le \
                 informazioni corrette.\n"
            ),
        ),
        (Lang::En, SubmissionStatus::ChangesRequested) => (
            format!("MappaTU: changes needed ({code})"),
            format!(
                "Dear {who},\n\nto publish \"{name}\" (request {code}) the moderator asks for \
                 some changes:\n\n{reason}\n\nPlease send a new request with the corrected \
                 information.\n"
            ),
        ),
    };
    let mut body = body;
    body.push_str(&match s.lang {
        Lang::It => format!("\nStato: {}\n", status_link(n, s)),
        Lang::En => format!("\nStatus: {}\n", status_link(n, s)),
    });
    body.push_str(signature(s.lang));
    Some(Email { subject, body })
}

fn signature(lang: Lang) -> &'static str {
    match lang {
        Lang::It => "\n-- \nMappaTU, Sportello Famiglia del Comune di Siena\n",
        Lang::En => "\n-- \nMappaTU, Sportello Famiglia, Comune di Siena\n",
    }
}

/// The status page of a submission, in the submitter's language.
fn status_link(n: &Notifier, s: &Submission) -> String {
    let code = s.tracking_code.as_str();
    match s.lang {
        Lang::It => n.link(&format!("/stato?code={code}")),
        Lang::En => n.link(&format!("/stato?code={code}&lang=en")),
    }
}
