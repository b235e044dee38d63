//! Talking to a test server as a client would: answers with their JSON bodies, and
//! logged-in moderators.

use super::TestServer;
use mappatu::auth::Role;
use reqwest::Client;
use serde_json::{Value, json};

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// An answer kept whole: status, headers, the body's text and its JSON (`Null` when the
/// body is empty).
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Answer {
    /// Reads a response; panics unless its body is empty or JSON.
    pub async fn of(res: reqwest::Response) -> Answer {
        let a = Answer::raw(res).await;
        if !a.text.is_empty() && a.body.is_null() {
            panic!("{}: body is not JSON: {}", a.status, a.text);
        }
        a
    }

    /// Reads a response whatever its body (`body` is `Null` unless it is JSON).
    pub async fn raw(res: reqwest::Response) -> Answer {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            body,
        }
    }

    /// The body as JSON; panics if it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", self.status, self.text))
    }
}

/// Sends a request; panics unless the body is empty or JSON.
pub async fn send(req: reqwest::RequestBuilder) -> Answer {
    Answer::of(req.send().await.expect("request")).await
}

/// A logged-in moderator (or admin): a cookie-keeping client and its CSRF token.
pub struct Mod {
    pub c: Client,
    pub csrf: String,
    pub base: String,
}

impl Mod {
    /// Creates the account and logs it in.
    pub async fn login(s: &TestServer, name: &str, role: Role) -> Mod {
        s.create_user(name, role, PASSWORD).await;
        let c = s.cookie_client();
        let a = send(
            c.post(format!("{}/api/auth/login", s.base))
                .json(&json!({"username": name, "password": PASSWORD})),
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.body);
        Mod {
            c,
            csrf: a.body["csrf_token"].as_str().unwrap().to_string(),
            base: s.base.clone(),
        }
    }

    /// GET with the session.
    pub async fn get(&self, path: &str) -> Answer {
        send(self.c.get(format!("{}{path}", self.base))).await
    }

    /// POST with the session and the CSRF token, and a JSON body if given.
    pub async fn post(&self, path: &str, body: Option<Value>) -> Answer {
        let mut req = self
            .c
            .post(format!("{}{path}", self.base))
            .header("X-CSRF-Token", &self.csrf);
        if let Some(b) = body {
            req = req.json(&b);
        }
        send(req).await
    }
}
