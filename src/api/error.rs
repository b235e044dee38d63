//! The HTTP layer's one error type, [`AppError`], and its one body, [`ErrorBody`]:
//! every failure of a handler, an extractor or a layer becomes
//! `{"error": code, "message": text, "parameter"?: name, "fields"?: [...]}` with the right
//! status. Internal details are logged, never sent.

use crate::domain::service::FieldError;
use crate::store::StoreError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use serde::Serialize;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable, machine-readable code, e.g. `invalid_parameter`.
    #[schema(example = "invalid_parameter")]
    pub error: &'static str,
    /// What is wrong, in English, naming the parameter or field.
    #[schema(example = "lat: latitude must be a number between -90 and 90, got 91")]
    pub message: String,
    /// The parameter or field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "lat")]
    pub parameter: Option<String>,
    /// 422 answers (`error` is `invalid`): every field at fault (`properties.name`,
    /// `geometry.coordinates`, `properties.contact.email`, …), each with a
    /// machine-readable code and what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldError>>,
}

impl ErrorBody {
    /// A body with a code and a message only.
    pub fn new(error: &'static str, message: impl Into<String>) -> Self {
        ErrorBody {
            error,
            message: message.into(),
            parameter: None,
            fields: None,
        }
    }
}

/// Errors of the HTTP layer: what a handler, an extractor or a layer refuses with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A query parameter, path segment, header or body field is missing, malformed or out
    /// of range: 400.
    #[error("{parameter}: {message}")]
    BadParameter {
        /// `invalid_parameter`, `missing_parameter`, `unknown_parameter`, `invalid_json`,
        /// `unknown_field`, `missing_field`, `invalid_field`, `missing_body`, …
        code: &'static str,
        /// The parameter's name (`body` when the fault is the body as a whole).
        parameter: String,
        /// What is wrong.
        message: String,
    },
    /// No such resource (or not public): 404.
    #[error("{0}")]
    NotFound(String),
    /// The route exists but not with this method: 405.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The body is larger than the route takes: 413.
    #[error("body: is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The route's limit in bytes.
        limit: usize,
    },
    /// A body whose `Content-Type` is not JSON: 415.
    #[error("Content-Type: must be application/json")]
    UnsupportedMediaType,
    /// Fields of a well-formed body are invalid: 422 with every problem.
    #[error("{}", join(.0))]
    Invalid(Vec<FieldError>),
    /// No credentials, or ones that open nothing: 401.
    #[error("{message}")]
    Unauthorized {
        /// `unauthenticated` or `invalid_credentials`.
        code: &'static str,
        /// What is missing or wrong.
        message: String,
    },
    /// Credentials that do not open this resource: 403.
    #[error("{0}")]
    Forbidden(String),
    /// A state-changing request without the session's CSRF token: 403.
    #[error("X-CSRF-Token: missing or does not match the session's token")]
    Csrf,
    /// The subject's state does not allow the action: 409.
    #[error("{message}")]
    Conflict {
        /// The parameter or field at fault, when there is one.
        parameter: Option<String>,
        /// Why.
        message: String,
    },
    /// Too many requests from this client: 429 with `Retry-After`.
    #[error("{message}")]
    TooManyRequests {
        /// `rate_limited` or `too_many_attempts`.
        code: &'static str,
        /// What to do, in English.
        message: String,
        /// The `Retry-After` header: whole seconds to wait, at least 1.
        retry_after: u64,
    },
    /// A service this one relies on (other than the store) does not answer: 503.
    #[error("{0}")]
    Unavailable(String),
    /// A failure on our side that retrying cannot mend: 500. The detail is logged only.
    #[error("internal error: {0}")]
    Internal(String),
    /// The store failed: 503 while the database is unreachable, 500 when what it holds
    /// is wrong (retrying cannot help then). The client gets a generic message.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn join(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl AppError {
    /// A malformed or out-of-range parameter.
    pub fn invalid(parameter: &str, message: impl Into<String>) -> Self {
        AppError::BadParameter {
            code: "invalid_parameter",
            parameter: parameter.to_string(),
            message: message.into(),
        }
    }

    /// A required parameter that was not given.
    pub fn missing(parameter: &str) -> Self {
        AppError::BadParameter {
            code: "missing_parameter",
            parameter: parameter.to_string(),
            message: "is required".into(),
        }
    }

    /// A 400 about the body or one of its fields, with its own code.
    pub fn body(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadParameter {
            code,
            parameter: field.into(),
            message: message.into(),
        }
    }

    /// No valid session or credential: 401 `unauthenticated`.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        AppError::Unauthorized {
            code: "unauthenticated",
            message: message.into(),
        }
    }

    /// A conflict with the subject's state (409), naming no parameter.
    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict {
            parameter: None,
            message: message.into(),
        }
    }

    /// 429: the limiter says to wait `wait`; `message` is told the seconds that
    /// `Retry-After` will carry.
    pub fn too_many_requests(
        code: &'static str,
        wait: Duration,
        message: impl FnOnce(u64) -> String,
    ) -> Self {
        let retry_after = retry_after_secs(wait);
        AppError::TooManyRequests {
            code,
            message: message(retry_after),
            retry_after,
        }
    }

    /// The status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Store(e) if is_corrupt(e) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// Whole seconds to wait, rounded up and at least 1, for a `Retry-After` header: a
/// client told 0 would ask again at once.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// A row that does not hold valid data: the database answers, but asking again gets
/// the same row.
fn is_corrupt(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Corrupt { .. } | StoreError::CorruptReport { .. }
    )
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut retry_after = None;
        let body = match self {
            AppError::BadParameter {
                code,
                parameter,
                message,
            } => {
                let message = format!("{parameter}: {message}");
                ErrorBody {
                    parameter: Some(parameter),
                    ..ErrorBody::new(code, message)
                }
            }
            AppError::NotFound(message) => ErrorBody::new("not_found", message),
            AppError::MethodNotAllowed => ErrorBody::new(
                "method_not_allowed",
                "this method is not allowed on this path",
            ),
            e @ AppError::PayloadTooLarge { .. } => ErrorBody {
                parameter: Some("body".into()),
                ..ErrorBody::new("payload_too_large", e.to_string())
            },
            e @ AppError::UnsupportedMediaType => ErrorBody {
                parameter: Some("Content-Type".into()),
                ..ErrorBody::new("unsupported_media_type", e.to_string())
            },
            AppError::Invalid(fields) => {
                let message = join(&fields);
                ErrorBody {
                    fields: Some(fields),
                    ..ErrorBody::new("invalid", message)
                }
            }
            AppError::Unauthorized { code, message } => ErrorBody::new(code, message),
            AppError::Forbidden(message) => ErrorBody::new("forbidden", message),
            e @ AppError::Csrf => ErrorBody {
                parameter: Some("X-CSRF-Token".into()),
                ..ErrorBody::new("csrf", e.to_string())
            },
            AppError::Conflict { parameter, message } => ErrorBody {
                parameter,
                ..ErrorBody::new("conflict", message)
            },
            AppError::TooManyRequests {
                code,
                message,
                retry_after: secs,
            } => {
                retry_after = Some(secs);
                ErrorBody::new(code, message)
            }
            AppError::Unavailable(message) => ErrorBody::new("unavailable", message),
            AppError::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                ErrorBody::new("internal", "internal error; it has been logged")
            }
            AppError::Store(e) if is_corrupt(&e) => {
                tracing::error!("store error: {e}");
                ErrorBody::new("internal", "internal error; it has been logged")
            }
            AppError::Store(e) => {
                tracing::error!("store error: {e}");
                ErrorBody::new(
                    "unavailable",
                    "the database is not available; try again shortly",
                )
            }
        };
        let mut res = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// Gives every error answer of the services it wraps the house body: a refusal of an
/// extractor or a layer (axum's and tower's answer in plain text) that no handler of ours
/// mapped; an error answer to a request with a body also says `Connection: close`. Answers below 400, and JSON ones, pass through untouched and without an
/// allocation (`axum::middleware::map_response` boxes every answer's future: about a
/// tenth of the trivial endpoint's throughput).
#[derive(Debug, Clone, Copy, Default)]
pub struct HouseErrorLayer;

impl<S> tower::Layer<S> for HouseErrorLayer {
    type Service = HouseError<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HouseError(inner)
    }
}

/// The service of [`HouseErrorLayer`].
#[derive(Debug, Clone)]
pub struct HouseError<S>(S);

impl<S, B> tower::Service<axum::http::Request<B>> for HouseError<S>
where
    S: tower::Service<axum::http::Request<B>, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = HouseErrorFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: axum::http::Request<B>) -> Self::Future {
        let headers = req.headers();
        let with_body = headers.contains_key(header::TRANSFER_ENCODING)
            || headers
                .get(header::CONTENT_LENGTH)
                .is_some_and(|v| v.as_bytes() != b"0");
        HouseErrorFuture::Answering {
            answer: self.0.call(req),
            with_body,
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`HouseError`]: the inner answer, then, for an error that is not
    /// JSON, its rewriting.
    #[project = Stage]
    pub enum HouseErrorFuture<F> {
        /// The wrapped service is answering.
        Answering { #[pin] answer: F, with_body: bool },
        /// An error answer is given the house body.
        Rewriting { rewrite: BoxFuture<'static, Response> },
    }
}

impl<F> Future for HouseErrorFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            match self.as_mut().project() {
                Stage::Answering { answer, with_body } => {
                    let Ok(mut res) = ready!(answer.poll(cx));
                    if *with_body && res.status().as_u16() >= 400 {
                        // A refused request's body may be left unread (a 413 stops reading
                        // at the limit), and then hyper closes the connection once the
                        // answer is out: say so, or a client sends its next request on a
                        // connection that is closing and gets a broken pipe.
                        res.headers_mut()
                            .insert(header::CONNECTION, HeaderValue::from_static("close"));
                    }
                    if !needs_house_body(&res) {
                        return Poll::Ready(Ok(res));
                    }
                    let rewrite = Box::pin(house_error_body(res));
                    self.set(HouseErrorFuture::Rewriting { rewrite });
                }
                Stage::Rewriting { rewrite } => return rewrite.as_mut().poll(cx).map(Ok),
            }
        }
    }
}

/// An error answer without a JSON body.
fn needs_house_body(res: &Response) -> bool {
    let status = res.status();
    (status.is_client_error() || status.is_server_error())
        && !res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"))
}

/// The house body for an error answer that has none (see [`HouseErrorLayer`]).
async fn house_error_body(res: Response) -> Response {
    let status = res.status();
    let (mut parts, body) = res.into_parts();
    // Their messages are short sentences; anything longer is cut rather than buffered.
    let text = axum::body::to_bytes(body, 1024)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .filter(|t| !t.trim().is_empty());
    let reason = status.canonical_reason().unwrap_or("error");
    let error = match status.as_u16() {
        400 => "bad_request",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        411 => "length_required",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable",
        429 => "too_many_requests",
        500 => "internal",
        503 => "unavailable",
        _ if status.is_client_error() => "client_error",
        _ => "server_error",
    };
    let message = match text {
        Some(t) if status.is_client_error() => t.trim().to_string(),
        // A server error's text may say more than a client should read.
        _ => reason.to_ascii_lowercase(),
    };
    if status.is_server_error() {
        tracing::error!(
            status = status.as_u16(),
            "an error answer without the house body"
        );
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let json = serde_json::to_vec(&ErrorBody::new(error, message)).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(json))
}

#[cfg(test)]
mod tests {
    use super::HouseErrorLayer;
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::routing::get;
    use tower::Service;

    async fn answer(path: &str) -> (StatusCode, String, String) {
        let mut app = Router::new()
            .route(
                "/plain",
                get(|| async { (StatusCode::BAD_REQUEST, "Invalid URL: oops") }),
            )
            .route("/ok", get(|| async { "fine" }))
            .route(
                "/json",
                get(|| async { super::AppError::NotFound("gone".into()) }),
            )
            .layer(HouseErrorLayer)
            .into_service::<Body>();
        let req = Request::get(path).body(Body::empty()).unwrap();
        let res = app.call(req).await.unwrap();
        let status = res.status();
        let kind = res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        (status, kind, String::from_utf8(body.to_vec()).unwrap())
    }

    async fn rendered(
        e: super::AppError,
    ) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        use axum::response::IntoResponse;
        let res = e.into_response();
        let status = res.status();
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        (status, headers, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn a_corrupt_row_is_an_internal_error_not_a_wait() {
        use crate::store::StoreError;
        let corrupt = StoreError::Corrupt {
            id: 7,
            reason: "bad point".into(),
        };
        let (status, headers, body) = rendered(corrupt.into()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"], "internal");
        assert!(!headers.contains_key(header::RETRY_AFTER));
        // Nothing of the row reaches the client.
        assert!(!body.to_string().contains("bad point"), "{body}");
        let down = StoreError::UnsupportedUrl("x".into());
        let (status, _, body) = rendered(down.into()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"], "unavailable");
    }

    #[tokio::test]
    async fn too_many_requests_carry_whole_seconds_to_wait() {
        use std::time::Duration;
        for (wait, secs) in [(1200, "2"), (0, "1"), (60_000, "60")] {
            let e = super::AppError::too_many_requests(
                "rate_limited",
                Duration::from_millis(wait),
                |s| format!("wait {s} s"),
            );
            let (status, headers, body) = rendered(e).await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(headers[header::RETRY_AFTER], secs);
            assert_eq!(body["error"], "rate_limited");
            assert_eq!(body["message"], format!("wait {secs} s"));
        }
    }

    #[tokio::test]
    async fn invalid_fields_are_listed_in_the_one_body() {
        let problem = crate::domain::submission::check_reason("reason", None).unwrap_err();
        let (status, _, body) = rendered(super::AppError::Invalid(vec![problem])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"], "invalid");
        assert_eq!(body["fields"][0]["field"], "reason");
        assert!(body["message"].as_str().unwrap().starts_with("reason: "));
        assert!(body.get("parameter").is_none(), "{body}");
        let (_, _, body) = rendered(super::AppError::missing("lat")).await;
        assert_eq!(body["parameter"], "lat");
        assert!(body.get("fields").is_none(), "{body}");
    }

    #[tokio::test]
    async fn plain_errors_get_the_house_body_and_the_rest_pass_through() {
        let (status, kind, body) = answer("/plain").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(kind, "application/json");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["error"], "bad_request");
        assert_eq!(json["message"], "Invalid URL: oops");
        assert_eq!(answer("/ok").await.2, "fine");
        let (status, _, body) = answer("/json").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("\"not_found\""), "{body}");
    }
}
