//! A JSON body extractor whose every rejection is the house error body
//! `{"error", "message", "parameter"}`, naming the field at fault, instead of axum's
//! plain-text rejections.
//!
//! Bodies are limited by [`MAX_BODY_BYTES`] through [`axum::extract::DefaultBodyLimit`]
//! on each POST route: unlike tower-http's `RequestBodyLimitLayer`, whose early 413 is
//! plain text, the limit then surfaces here and is answered in JSON like the rest.

use super::ErrorBody;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// The largest request body a POST route accepts: a report is well under 10 KiB even at
/// its longest (2000 characters of four-byte UTF-8).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A JSON request body, deserialised into `T`. Declare `T` with
/// `#[serde(deny_unknown_fields)]` so that a misspelt field is an error, not ignored.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

/// Why a body was refused.
#[derive(Debug)]
pub enum BodyError {
    /// The `Content-Type` is missing or not JSON: 415.
    UnsupportedMediaType,
    /// The body is longer than the route allows: 413.
    TooLarge,
    /// The body could not be read (the client went away): 400.
    Unreadable,
    /// Not JSON, or not the expected shape: 400 naming the field when there is one.
    Invalid {
        /// `invalid_json`, `unknown_field`, `missing_field`, `invalid_field`, …
        code: &'static str,
        /// The field at fault, `body` when the fault is the document as a whole.
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        let (status, error, message, parameter) = match self {
            BodyError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Content-Type: must be application/json".to_string(),
                "Content-Type".to_string(),
            ),
            BodyError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("body: is larger than {MAX_BODY_BYTES} bytes"),
                "body".to_string(),
            ),
            BodyError::Unreadable => (
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "body: could not be read".to_string(),
                "body".to_string(),
            ),
            BodyError::Invalid {
                code,
                field,
                message,
            } => (
                StatusCode::BAD_REQUEST,
                code,
                format!("{field}: {message}"),
                field,
            ),
        };
        let body = ErrorBody {
            error,
            message,
            parameter: Some(parameter),
        };
        (status, Json(body)).into_response()
    }
}

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = BodyError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Checked first, also because it makes a cross-site HTML form (which can only send
        // form or text types without a CORS preflight) unable to post here.
        if !is_json(req.headers()) {
            return Err(BodyError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
                BodyError::TooLarge
            }
            _ => BodyError::Unreadable,
        })?;
        parse(&bytes).map(JsonBody)
    }
}

/// Deserialises a JSON object, naming the field at fault in the error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BodyError> {
    // serde's derived structs also accept an array of the fields in order; a request
    // body is an object with named fields, nothing else.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(BodyError::Invalid {
            code: "invalid_json",
            field: "body".into(),
            message: "must be a JSON object".into(),
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| from_serde(&e))?;
    // `deserialize` stops after the value; anything but whitespace after it is an error.
    let mut de = serde_json::Deserializer::from_slice(bytes).into_iter::<serde::de::IgnoredAny>();
    de.next();
    if de.next().is_some() {
        return Err(BodyError::Invalid {
            code: "invalid_json",
            field: "body".into(),
            message: "has trailing characters after the JSON value".into(),
        });
    }
    Ok(value)
}

fn from_serde(e: &serde_path_to_error::Error<serde_json::Error>) -> BodyError {
    let inner = e.inner();
    // serde_json appends " at line L column C"; the field name says more to a client.
    let text = inner.to_string();
    let mut text = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(t, _)| t)
        .to_string();
    // serde quotes the offending value; a long one is not echoed whole.
    if let Some((cut, _)) = text.char_indices().nth(200) {
        text.truncate(cut);
        text.push('…');
    }
    let path = e.path().to_string();
    let named = || between_backticks(&text).unwrap_or_default();
    match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            BodyError::Invalid {
                code: "invalid_json",
                field: "body".into(),
                message: format!(
                    "is not valid JSON ({text} at line {} column {})",
                    inner.line(),
                    inner.column()
                ),
            }
        }
        serde_json::error::Category::Io => BodyError::Unreadable,
        serde_json::error::Category::Data => {
            // serde names unknown, missing and repeated fields in its message; the path
            // ends at the field itself for some and at its object for others.
            let field = || {
                let name = named();
                if path.rsplit('.').next() == Some(name.as_str()) {
                    path.clone()
                } else if path == "." {
                    name
                } else {
                    format!("{path}.{name}")
                }
            };
            if text.starts_with("unknown field") {
                BodyError::Invalid {
                    code: "unknown_field",
                    field: field(),
                    message: "is not a field of this request".into(),
                }
            } else if text.starts_with("missing field") {
                BodyError::Invalid {
                    code: "missing_field",
                    field: field(),
                    message: "is required".into(),
                }
            } else if text.starts_with("duplicate field") {
                BodyError::Invalid {
                    code: "invalid_field",
                    field: field(),
                    message: "is given more than once".into(),
                }
            } else if path == "." {
                BodyError::Invalid {
                    code: "invalid_json",
                    field: "body".into(),
                    message: format!("must be a JSON object ({text})"),
                }
            } else {
                BodyError::Invalid {
                    code: "invalid_field",
                    field: path,
                    message: text,
                }
            }
        }
    }
}

fn between_backticks(s: &str) -> Option<String> {
    let start = s.find('`')? + 1;
    let len = s[start..].find('`')?;
    Some(s[start..start + len].to_string())
}

/// `application/json` or `application/<something>+json`, with any parameters.
pub(super) fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let Some((kind, sub)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (sub.eq_ignore_ascii_case("json")
            || sub.len() > 5 && sub[sub.len() - 5..].eq_ignore_ascii_case("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        kind: String,
        n: Option<u32>,
    }

    fn fail(json: &str) -> (&'static str, String) {
        match parse::<Body>(json.as_bytes()).unwrap_err() {
            BodyError::Invalid { code, field, .. } => (code, field),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert!(parse::<Body>(br#" {"kind":"x"} "#).is_ok());
        assert_eq!(
            fail(r#"{"kind":"x","kidn":1}"#),
            ("unknown_field", "kidn".into())
        );
        assert_eq!(fail(r#"{"n":1}"#), ("missing_field", "kind".into()));
        assert_eq!(
            fail(r#"{"kind":"x","n":"a"}"#),
            ("invalid_field", "n".into())
        );
        assert_eq!(
            fail(r#"{"kind":"x","kind":"y"}"#),
            ("invalid_field", "kind".into())
        );
        assert_eq!(fail(r#"{"kind":"#), ("invalid_json", "body".into()));
        assert_eq!(fail(r#"[1]"#), ("invalid_json", "body".into()));
        assert_eq!(fail(r#" ["x", 1]"#), ("invalid_json", "body".into()));
        assert_eq!(fail(r#""x""#), ("invalid_json", "body".into()));
        assert_eq!(fail(r#"{"kind":"x"} {}"#), ("invalid_json", "body".into()));
    }

    #[test]
    fn json_media_types() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        for (v, ok) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/merge-patch+json", true),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("application/jsonx", false),
        ] {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            assert_eq!(is_json(&h), ok, "{v}");
        }
    }
}
