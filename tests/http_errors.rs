//! Every error answer is the house JSON body, even for requests that never reach a
//! handler: a path that is not UTF-8, and the requests hyper refuses itself (400 for a
//! malformed request, 414 for a URI over 64 KiB, 431 for too many or too large header
//! fields), which used to have empty bodies. Talks raw HTTP/1.1 over TCP, as an attacker's
//! script would.

mod common;

use common::{Backend, TestServer};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends raw bytes on a new connection and reads until the server closes it (or the
/// response is complete on a kept-alive connection: `Connection: close` is sent by the
/// tests that need it).
async fn exchange(base: &str, request: &[u8]) -> String {
    let addr = base.strip_prefix("http://").unwrap();
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        conn.read_to_end(&mut out),
    )
    .await;
    // The server closes after a parse error; a reset after its answer is fine too.
    if let Ok(Err(e)) = read {
        assert!(!out.is_empty(), "no answer: {e}");
    }
    String::from_utf8(out).expect("an HTTP answer in UTF-8")
}

/// The answers in `raw`, each as (status, content type, body).
fn answers(raw: &str) -> Vec<(u16, String, String)> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some((head, tail)) = rest.split_once("\r\n\r\n") {
        let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
        let header = |name: &str| {
            head.lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                })
                .unwrap_or_default()
        };
        let len: usize = header("content-length").parse().unwrap_or(0);
        out.push((status, header("content-type"), tail[..len].to_string()));
        rest = &tail[len..];
    }
    out
}

/// The single answer of `raw`, which must be a house JSON error with `status`.
fn house_error(raw: &str, status: u16) -> Value {
    let got = answers(raw);
    assert_eq!(got.len(), 1, "{raw}");
    let (st, content_type, body) = &got[0];
    assert_eq!(*st, status, "{raw}");
    assert_eq!(content_type, "application/json", "{raw}");
    let json: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {raw}"));
    assert!(
        json["error"].is_string() && json["message"].is_string(),
        "{json}"
    );
    json
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_the_house_json_body() {
    let s = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    let base = &s.base;

    // A path parameter that is not UTF-8 once decoded names the parameter.
    for path in ["/api/services/%FF", "/api/submissions/%C3%28"] {
        let raw = exchange(
            base,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await;
        let json = house_error(&raw, 400);
        assert_eq!(json["error"], "invalid_parameter", "{json}");
        assert!(
            ["id", "code"].contains(&json["parameter"].as_str().unwrap()),
            "{json}"
        );
    }

    // A URI over hyper's 64 KiB.
    let long = format!(
        "GET /api/services?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let json = house_error(&exchange(base, long.as_bytes()).await, 414);
    assert_eq!(json["error"], "uri_too_long");

    // More than 100 header fields, and one field larger than hyper's buffer.
    let many: String = (0..200).map(|i| format!("X-Field-{i}: v\r\n")).collect();
    let raw = exchange(
        base,
        format!("GET /api/version HTTP/1.1\r\nHost: x\r\n{many}\r\n").as_bytes(),
    )
    .await;
    assert_eq!(house_error(&raw, 431)["error"], "header_fields_too_large");
    let big = format!(
        "GET /api/version HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(500_000)
    );
    house_error(&exchange(base, big.as_bytes()).await, 431);

    // A request line that is not HTTP, and a header line without a colon.
    let json = house_error(&exchange(base, b"GARBAGE\r\n\r\n").await, 400);
    assert_eq!(json["error"], "bad_request");
    house_error(
        &exchange(
            base,
            b"GET /api/version HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n",
        )
        .await,
        400,
    );

    // On a kept-alive connection the good answer before the bad request is untouched.
    let raw = exchange(
        base,
        b"GET /api/version HTTP/1.1\r\nHost: x\r\n\r\nGET /api/version HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n",
    )
    .await;
    let got = answers(&raw);
    assert_eq!(got.len(), 2, "{raw}");
    assert_eq!(got[0].0, 200);
    let version: Value = serde_json::from_str(&got[0].2).unwrap();
    assert_eq!(version["name"], "mappatu");
    assert_eq!((got[1].0, got[1].1.as_str()), (400, "application/json"));

    // A body refused unread: the answer says the connection closes, so that the client
    // does not send its next request on it (it used to break the pipe of the next request).
    let res = s
        .client
        .post(format!("{base}/api/submissions"))
        .header("content-type", "application/json")
        .body(format!("{{\"x\":\"{}\"}}", "a".repeat(300_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.headers()["connection"], "close");
    for _ in 0..20 {
        let (status, _) = s.get("/api/version").await;
        assert_eq!(status, 200);
    }

    s.finish().await;
}
