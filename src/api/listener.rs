//! Serving the app on a TCP listener, with the house error body even for the requests
//! that never reach it.
//!
//! hyper refuses a request it cannot parse before any handler runs: 400 for a malformed
//! request line or header, 414 for a URI over 64 KiB, 431 for header fields over its
//! buffer or more than 100 of them. It writes those answers itself, with an empty body,
//! and offers no hook to change them. [`HouseErrors`] sits between hyper and the socket
//! and, when hyper writes one of those answers (its status, `content-length: 0` and
//! `connection: close` in one head and nothing else), writes the same head with the
//! house JSON body instead. The app never answers 400, 414 or 431 without a body, so
//! nothing of its own is touched.

use super::ErrorBody;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::serve::IncomingStream;
use std::convert::Infallible;
use std::future::{Future, Ready, ready as ready_now};
use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower_http::add_extension::AddExtension;

/// Serves `app` on `listener` until `shutdown` completes, with the client's address
/// available to handlers (`ConnectInfo<SocketAddr>`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(Listener(listener), PerConnection(app))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Makes each connection's service: the app, with the peer's address as
/// `ConnectInfo<SocketAddr>` (what axum's `into_make_service_with_connect_info` does for
/// its own listener, which this one is not).
#[derive(Clone)]
struct PerConnection(Router);

impl tower::Service<IncomingStream<'_, Listener>> for PerConnection {
    type Response = AddExtension<Router, ConnectInfo<SocketAddr>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: IncomingStream<'_, Listener>) -> Self::Future {
        let peer = ConnectInfo(*stream.remote_addr());
        ready_now(Ok(AddExtension::new(self.0.clone(), peer)))
    }
}

/// A TCP listener whose connections are wrapped in [`HouseErrors`].
pub struct Listener(pub TcpListener);

impl axum::serve::Listener for Listener {
    type Io = HouseErrors<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => return (HouseErrors::new(stream), addr),
                Err(e) => {
                    // Out of file descriptors and the like: wait for some to be freed
                    // rather than spin, as axum's own listener does.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A connection that gives hyper's own bodiless error answers the house JSON body.
pub struct HouseErrors<IO> {
    inner: IO,
    /// Bytes of a rewritten answer not yet written to `inner`.
    pending: Vec<u8>,
    written: usize,
}

impl<IO> HouseErrors<IO> {
    /// Wraps a connection.
    pub fn new(inner: IO) -> Self {
        HouseErrors {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<IO: AsyncWrite + Unpin> HouseErrors<IO> {
    /// Writes what is left of a rewritten answer; ready when all of it is written.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending = Vec::new();
        self.written = 0;
        Poll::Ready(Ok(()))
    }

    /// When `head` is one of hyper's bodiless error answers, queues the house answer in
    /// its place and returns true.
    fn replace(&mut self, head: &[u8]) -> bool {
        match house_answer(head) {
            Some(answer) => {
                self.pending = answer;
                self.written = 0;
                true
            }
            None => false,
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for HouseErrors<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for HouseErrors<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        if self.replace(buf) {
            // hyper's bytes are taken whole; the answer in their place goes out now or
            // at the flush that follows.
            let _ = self.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        let mut non_empty = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (non_empty.next(), non_empty.next())
            && self.replace(only)
        {
            let _ = self.poll_pending(cx)?;
            return Poll::Ready(Ok(only.len()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The house answer for one of hyper's own error heads, or `None` for anything else.
fn house_answer(head: &[u8]) -> Option<Vec<u8>> {
    let status = head.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    let (error, message) = match status {
        b"400" => (
            "bad_request",
            "the request is not well-formed HTTP: its request line or a header cannot be read",
        ),
        b"414" => (
            "uri_too_long",
            "the request's URI is longer than the server accepts (64 KiB); send fewer or \
             shorter parameters",
        ),
        b"431" => (
            "header_fields_too_large",
            "the request's header fields are too large or too many (at most 100)",
        ),
        _ => return None,
    };
    let text = std::str::from_utf8(head).ok()?;
    let lines = text.strip_suffix("\r\n\r\n")?;
    let mut lines = lines.split("\r\n");
    let status_line = lines.next()?;
    let mut rest = Vec::new();
    let (mut empty, mut closing) = (false, false);
    for line in lines {
        let lower = line.to_ascii_lowercase();
        match lower.as_str() {
            "content-length: 0" => empty = true,
            "connection: close" => {
                closing = true;
                rest.push(line);
            }
            // hyper's error head holds nothing else; an answer of the app's would.
            _ if lower.starts_with("date: ") => rest.push(line),
            _ => return None,
        }
    }
    if !(empty && closing) {
        return None;
    }
    let body = serde_json::to_vec(&ErrorBody::new(error, message)).ok()?;
    let mut out = Vec::with_capacity(head.len() + body.len() + 96);
    out.extend_from_slice(status_line.as_bytes());
    out.extend_from_slice(b"\r\n");
    for line in rest {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"content-type: application/json\r\ncache-control: no-store\r\n");
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::house_answer;

    #[test]
    fn hypers_error_heads_get_the_house_body() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\n\
            content-length: 0\r\ndate: Mon, 07 Dec 2026 14:00:48 GMT\r\n\r\n";
        let out = String::from_utf8(house_answer(head).unwrap()).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains("\r\ncontent-type: application/json\r\n"));
        assert!(head.contains(&format!("\r\ncontent-length: {}", body.len())));
        assert!(head.contains("\r\ndate: Mon, 07 Dec 2026 14:00:48 GMT"));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"], "header_fields_too_large");
    }

    #[test]
    fn the_apps_own_answers_are_left_alone() {
        for head in [
            // A 400 of the app: it has a body and a content type.
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n\
               content-length: 80\r\ndate: Mon, 07 Dec 2026 14:00:48 GMT\r\n\r\n"[..],
            // Not closing: not hyper's parse-error answer.
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
            // A body chunk that happens to begin like a head.
            b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\nmore",
        ] {
            assert_eq!(
                house_answer(head),
                None,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }
}
