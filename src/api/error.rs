//! The HTTP layer's error: every failure becomes `{"error": code, "message": text}` with
//! the right status. Internal details are logged, never sent.

use crate::store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
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
