//! A webhook receiver on loopback: a real HTTP server that records every request
//! (headers and body) and answers `500` to the first `fail_first` of them, then `200`
//! (or always `500`), so tests see signatures, bodies and retries as an endpoint would.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The headers as the `http` crate holds them (what `standardwebhooks` verifies).
    pub fn header_map(&self) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (k, v) in &self.headers {
            map.append(http::HeaderName::from_bytes(k.as_bytes()).unwrap(), http::HeaderValue::from_str(v).unwrap());
        }
        map
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    fail_first: usize,
    always_fail: bool,
}

pub struct Receiver {
    pub port: u16,
    state: Arc<Mutex<State>>,
    _server: actix_web::dev::ServerHandle,
}

impl Receiver {
    /// Starts a receiver answering 500 to the first `fail_first` requests.
    pub async fn start(fail_first: usize) -> Receiver {
        Self::with(State { fail_first, ..Default::default() }).await
    }

    /// Starts a receiver that never accepts a delivery.
    pub async fn failing() -> Receiver {
        Self::with(State { always_fail: true, ..Default::default() }).await
    }

    async fn with(state: State) -> Receiver {
        let state = Arc::new(Mutex::new(state));
        let shared = state.clone();
        let server = HttpServer::new(move || {
            let shared = shared.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let shared = shared.clone();
                async move {
                    let mut s = shared.lock().unwrap();
                    let headers = req
                        .headers()
                        .iter()
                        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
                        .collect();
                    s.received.push(Received { headers, body: String::from_utf8_lossy(&body).into_owned() });
                    if s.always_fail || s.received.len() <= s.fail_first {
                        HttpResponse::InternalServerError().body("not now")
                    } else {
                        HttpResponse::Ok().body("ok")
                    }
                }
            }))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("a loopback port");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver { port, state, _server: handle }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Waits until at least `n` requests came (at most `secs` seconds).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.received();
            if got.len() >= n || std::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
