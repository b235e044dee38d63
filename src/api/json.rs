//! The one JSON body extractor, [`JsonBody`]: every refusal is an [`AppError`], answered
//! with the house body and naming the field at fault (through `serde_path_to_error`),
//! instead of axum's plain-text rejections. `Option<JsonBody<T>>` takes an optional body.
//!
//! The rules, for every route that reads a body:
//! - a body larger than the route's limit: 413 `payload_too_large`;
//! - no body at all (empty or blank): `None` for an optional body, 400 `missing_body` for
//!   a required one;
//! - a body whose `Content-Type` is not JSON: 415 `unsupported_media_type` (which also
//!   keeps cross-site HTML forms, which cannot send JSON without a CORS preflight, from
//!   posting here);
//! - not a JSON object, or not of the expected shape: 400 naming the field.
//!
//! Bodies are limited with [`limit_bodies`], through [`axum::extract::DefaultBodyLimit`]:
//! unlike tower-http's `RequestBodyLimitLayer`, whose early 413 is plain text, the limit
//! then surfaces here and is answered in JSON like the rest.

use super::AppError;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{DefaultBodyLimit, FromRequest, OptionalFromRequest, Request};
use axum::http::{HeaderMap, header};
use axum::{Extension, Router};
use serde::de::DeserializeOwned;

/// The largest request body a route takes unless it says otherwise: a report is well
/// under 10 KiB even at its longest (2000 characters of four-byte UTF-8).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// axum's own limit, for a route that was given none.
const AXUM_DEFAULT_LIMIT: usize = 2 * 1024 * 1024;

/// A route's body limit, told to [`JsonBody`] for its 413 message.
#[derive(Debug, Clone, Copy)]
struct BodyLimit(usize);

/// Limits the bodies of `router`'s routes to `max` bytes.
pub fn limit_bodies<S>(router: Router<S>, max: usize) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .layer(DefaultBodyLimit::max(max))
        .layer(Extension(BodyLimit(max)))
}

/// A JSON request body, deserialised into `T`. Declare `T` with
/// `#[serde(deny_unknown_fields)]` so that a misspelt field is an error, not ignored.
///
/// Take it as `Result<JsonBody<T>, AppError>` to decide in the handler which refusal
/// comes first (an id, a token), and as `Option<JsonBody<T>>` when the body may be left
/// out.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match read(req, state).await? {
            Some(bytes) => parse(&bytes).map(JsonBody),
            None => Err(AppError::body(
                "missing_body",
                "body",
                "is required: a JSON object",
            )),
        }
    }
}

impl<T, S> OptionalFromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, AppError> {
        let Some(bytes) = read(req, state).await? else {
            return Ok(None);
        };
        // Blank but said to be JSON: there is no "no body" in JSON.
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        parse(&bytes).map(|v| Some(JsonBody(v)))
    }
}

/// The body's bytes when it is said to be JSON; `None` when there is no body (a blank
/// one not said to be JSON).
async fn read<S: Send + Sync>(req: Request, state: &S) -> Result<Option<Bytes>, AppError> {
    let json = is_json(req.headers());
    let limit = req
        .extensions()
        .get::<BodyLimit>()
        .map_or(AXUM_DEFAULT_LIMIT, |l| l.0);
    let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
            AppError::PayloadTooLarge { limit }
        }
        _ => AppError::body("invalid_body", "body", "could not be read"),
    })?;
    if json {
        Ok(Some(bytes))
    } else if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(None)
    } else {
        Err(AppError::UnsupportedMediaType)
    }
}

/// Deserialises a JSON object, naming the field at fault in the error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // serde's derived structs also accept an array of the fields in order; a request
    // body is an object with named fields, nothing else.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(AppError::body(
            "invalid_json",
            "body",
            "must be a JSON object",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| from_serde(&e))?;
    // `deserialize` stops after the value; anything but whitespace after it is an error.
    let mut de = serde_json::Deserializer::from_slice(bytes).into_iter::<serde::de::IgnoredAny>();
    de.next();
    if de.next().is_some() {
        return Err(AppError::body(
            "invalid_json",
            "body",
            "has trailing characters after the JSON value",
        ));
    }
    Ok(value)
}

fn from_serde(e: &serde_path_to_error::Error<serde_json::Error>) -> AppError {
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
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => AppError::body(
            "invalid_json",
            "body",
            format!(
                "is not valid JSON ({text} at line {} column {})",
                inner.line(),
                inner.column()
            ),
        ),
        serde_json::error::Category::Io => {
            AppError::body("invalid_body", "body", "could not be read")
        }
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
                AppError::body("unknown_field", field(), "is not a field of this request")
            } else if text.starts_with("missing field") {
                AppError::body("missing_field", field(), "is required")
            } else if text.starts_with("duplicate field") {
                AppError::body("invalid_field", field(), "is given more than once")
            } else if path == "." {
                AppError::body(
                    "invalid_json",
                    "body",
                    format!("must be a JSON object ({text})"),
                )
            } else {
                AppError::body("invalid_field", path, text)
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
            AppError::BadParameter {
                code, parameter, ..
            } => (code, parameter),
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

    /// The status, `error` code and `parameter` of a POST to a route that requires a
    /// body and to one that takes an optional one.
    async fn answers(content_type: Option<&str>, body: &str) -> [(u16, String); 2] {
        use axum::routing::post;
        use tower::Service;
        let app = Router::new()
            .route(
                "/required",
                post(|JsonBody(b): JsonBody<Body>| async move { b.kind }),
            )
            .route(
                "/optional",
                post(|b: Option<JsonBody<Body>>| async move {
                    b.map_or("none".to_string(), |JsonBody(b)| b.kind)
                }),
            );
        let mut app = limit_bodies(app, 64).into_service::<axum::body::Body>();
        let mut out = Vec::new();
        for path in ["/required", "/optional"] {
            let mut req = axum::http::Request::post(path);
            if let Some(ct) = content_type {
                req = req.header(header::CONTENT_TYPE, ct);
            }
            let req = req.body(axum::body::Body::from(body.to_string())).unwrap();
            let res = app.call(req).await.unwrap();
            let status = res.status().as_u16();
            let bytes = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            let what = match serde_json::from_str::<serde_json::Value>(&text) {
                // The limit named is the route's own.
                Ok(v) if status == 413 => format!("{} {}", v["error"], v["message"]),
                Ok(v) => format!("{} {}", v["error"], v["parameter"]),
                Err(_) => text,
            };
            out.push((status, what));
        }
        out.try_into().unwrap()
    }

    #[tokio::test]
    async fn one_extractor_for_required_and_optional_bodies() {
        let ok = |s: &str| (200, s.to_string());
        let err =
            |status, code: &str, parameter: &str| (status, format!("\"{code}\" \"{parameter}\""));
        let json = Some("application/json");
        assert_eq!(answers(json, r#"{"kind":"x"}"#).await, [ok("x"), ok("x")]);
        // No body at all: missing, or none.
        assert_eq!(
            answers(None, "").await,
            [err(400, "missing_body", "body"), ok("none")]
        );
        assert_eq!(
            answers(Some("text/plain"), " ").await,
            [err(400, "missing_body", "body"), ok("none")]
        );
        // Said to be JSON, but empty: not JSON, or none.
        assert_eq!(
            answers(json, "").await,
            [err(400, "invalid_json", "body"), ok("none")]
        );
        let media = err(415, "unsupported_media_type", "Content-Type");
        assert_eq!(
            answers(Some("text/plain"), r#"{"kind":"x"}"#).await,
            [media.clone(), media.clone()]
        );
        assert_eq!(answers(None, "kind=x").await, [media.clone(), media]);
        let bad = err(400, "unknown_field", "kidn");
        assert_eq!(answers(json, r#"{"kidn":"x"}"#).await, [bad.clone(), bad]);
        let big = err(413, "payload_too_large", "body: is larger than 64 bytes");
        let long = format!(r#"{{"kind":"{}"}}"#, "x".repeat(100));
        assert_eq!(answers(json, &long).await, [big.clone(), big]);
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
