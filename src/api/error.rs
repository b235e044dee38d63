//! The HTTP layer's error: every failure becomes `{"error": code, "message": text}` with
//! the right status. Internal details are logged, never sent.

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
}

/// Errors of the HTTP layer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A query parameter or path segment is missing, malformed or out of range.
    #[error("{parameter}: {message}")]
    BadParameter {
        /// `invalid_parameter`, `missing_parameter`, `unknown_parameter`, …
        code: &'static str,
        /// The parameter's name.
        parameter: String,
        /// What is wrong.
        message: String,
    },
    /// No such resource (or not public).
    #[error("{0}")]
    NotFound(String),
    /// The route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The store failed; the client gets a generic message.
    #[error(transparent)]
    Store(#[from] StoreError),
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
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            AppError::BadParameter {
                code,
                parameter,
                message,
            } => (
                StatusCode::BAD_REQUEST,
                ErrorBody {
                    error: code,
                    message: format!("{parameter}: {message}"),
                    parameter: Some(parameter),
                },
            ),
            AppError::NotFound(message) => (
                StatusCode::NOT_FOUND,
                ErrorBody {
                    error: "not_found",
                    message,
                    parameter: None,
                },
            ),
            AppError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorBody {
                    error: "method_not_allowed",
                    message: "this method is not allowed on this path".into(),
                    parameter: None,
                },
            ),
            AppError::Store(e) => {
                tracing::error!("store error: {e}");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorBody {
                        error: "unavailable",
                        message: "the database is not available; try again shortly".into(),
                        parameter: None,
                    },
                )
            }
        };
        (status, Json(body)).into_response()
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
    let body = ErrorBody {
        error,
        message,
        parameter: None,
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
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
