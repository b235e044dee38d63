//! Emails to submitters: their tracking code and edit link when they submit, and the
//! moderator's decision. Sent through SMTP (lettre) when `--smtp-url` is configured;
//! without it, a line in the log says a message would have been sent, and the status page
//! is the channel.
//!
//! Messages go out after the commit, from a spawned task: an answer never waits for the
//! mail server, and a failure is logged, never surfaced to the client. The recipient's
//! address never appears in full in the logs ([`mask_email`]).

mod messages;

use crate::domain::submission::{EditToken, Submission, mask_email};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;

pub use messages::{Email, decided, received};

/// Why the mail settings are not usable.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// `--smtp-url` is not a valid SMTP URL.
    #[error("invalid SMTP URL: {0}")]
    SmtpUrl(String),
    /// `--mail-from` is not a valid address.
    #[error("invalid sender address {0:?}: use name@example.org or \"Name <name@example.org>\"")]
    From(String),
}

/// The default sender when `--mail-from` is not given.
pub const DEFAULT_FROM: &str = "MappaTU <mappatu@localhost>";

/// Sends (or logs) the emails to submitters.
pub struct Notifier {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    /// Where the site is reached, to build links (`https://mappa.example.org`); links are
    /// relative without it.
    public_url: Option<String>,
}

impl Notifier {
    /// Logs messages instead of sending them.
    pub fn log_only() -> Self {
        Notifier {
            transport: None,
            from: DEFAULT_FROM.parse().expect("default sender"),
            public_url: None,
        }
    }

    /// Sends through the SMTP server of `smtp_url` (`smtp://host:port` with optional
    /// `user:password@` — plain or STARTTLS with `?tls=required` — or `smtps://` for TLS),
    /// or logs when it is `None`.
    pub fn new(
        smtp_url: Option<&str>,
        from: Option<&str>,
        public_url: Option<&str>,
    ) -> Result<Self, NotifyError> {
        let transport = match smtp_url {
            None => None,
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| {
                        NotifyError::SmtpUrl(format!("{} ({e})", crate::store::redact_url(url)))
                    })?
                    .build(),
            ),
        };
        let from_text = from.unwrap_or(DEFAULT_FROM);
        let from = from_text
            .parse()
            .map_err(|_| NotifyError::From(from_text.to_string()))?;
        Ok(Notifier {
            transport,
            from,
            public_url: public_url.map(|u| u.trim_end_matches('/').to_string()),
        })
    }

    /// Whether messages are really sent.
    pub fn sends(&self) -> bool {
        self.transport.is_some()
    }

    /// A site link for a path (absolute when the public URL is known).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.as_deref().unwrap_or(""))
    }

    /// Tells a submitter their submission was received (with the edit token, once).
    pub fn submission_received(self: &Arc<Self>, s: &Submission, token: Option<&EditToken>) {
        if let Some(email) = received(self, s, token) {
            self.send(s, email);
        }
    }

    /// Tells a submitter a moderator decided on their submission.
    pub fn submission_decided(self: &Arc<Self>, s: &Submission) {
        if let Some(email) = decided(self, s) {
            self.send(s, email);
        }
    }

    /// Sends in the background; failures are logged.
    fn send(self: &Arc<Self>, s: &Submission, email: Email) {
        let Some(to) = s.contact.email.clone() else {
            tracing::info!(
                submission = s.id.0,
                "no email address for the submitter: the status page is the channel"
            );
            return;
        };
        let masked = mask_email(&to);
        let Some(transport) = self.transport.clone() else {
            tracing::info!(
                submission = s.id.0,
                to = %masked,
                subject = %email.subject,
                "no SMTP server configured (--smtp-url): message not sent"
            );
            return;
        };
        let id = s.id.0;
        let mailbox: Mailbox = match to.parse() {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(submission = id, to = %masked, "cannot address the message: {e}");
                return;
            }
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(mailbox)
            .subject(email.subject.clone())
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(email.body);
        let message = match message {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(submission = id, "cannot build the message: {e}");
                return;
            }
        };
        tokio::spawn(async move {
            match transport.send(message).await {
                Ok(_) => tracing::info!(submission = id, to = %masked, "message sent"),
                Err(e) => tracing::warn!(submission = id, to = %masked, "message not sent: {e}"),
            }
        });
    }
}
