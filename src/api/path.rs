//! Path parameters with errors in the house body, naming the parameter.

use super::AppError;
use axum::extract::FromRequestParts;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// axum's `Path`, whose refusals (`/api/services/%FF`: not UTF-8 once decoded) answer
/// `{"error": "invalid_parameter", "parameter": "id", …}` instead of axum's plain text.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(refusal(rejection)),
        }
    }
}

fn refusal(rejection: PathRejection) -> AppError {
    let PathRejection::FailedToDeserializePathParams(e) = &rejection else {
        // The route has no such parameter: a bug of ours, not of the request; still
        // answered in the house body by the API's error layer.
        return AppError::invalid("path", rejection.body_text());
    };
    match e.kind() {
        ErrorKind::InvalidUtf8InPathParam { key } => AppError::invalid(
            key,
            "is not valid UTF-8 once percent-decoded (a %XX escape that is not part of a \
             UTF-8 character)",
        ),
        ErrorKind::ParseErrorAtKey {
            key, expected_type, ..
        } => AppError::invalid(key, format!("must be a {expected_type}")),
        _ => AppError::invalid("path", e.body_text()),
    }
}
