//! A real browser for the pages people open: headless Chromium driven over the DevTools
//! protocol (chromiumoxide). Each page records its script errors and Content-Security-Policy
//! violations, so a test can say a page works *and* broke no rule of its own.
//!
//! Chromium is found as `SCELLE_TEST_CHROMIUM`, else `chromium`, `chromium-browser`,
//! `google-chrome` on the `PATH`. Without one the browser tests say they are skipped —
//! unless `SCELLE_TEST_BROWSER=required` (CI sets it, and installs Chromium), when they fail.

use crate::TempDir;
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::element::Element;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Set before any script of the page runs: script errors, rejected promises and CSP
/// violations end up in `window.__problems`.
const RECORDER: &str = r#"
window.__problems = [];
window.addEventListener("error", e => window.__problems.push("error: " + (e.message || e.type)));
window.addEventListener("unhandledrejection", e => window.__problems.push("rejection: " + String(e.reason)));
document.addEventListener("securitypolicyviolation", e =>
  window.__problems.push("csp: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")));
// Seen before any handler of the page: lets a test know where its click arrived.
window.__clicked = null;
document.addEventListener("click", e => { window.__clicked = e.target }, true);
"#;

/// How long a page may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(30);

pub struct TestBrowser {
    browser: Browser,
    handler: tokio::task::JoinHandle<()>,
    _profile: TempDir,
}

pub struct TestPage {
    pub page: chromiumoxide::Page,
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SCELLE_TEST_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

impl TestBrowser {
    /// Headless Chromium with a fresh profile; `None` when there is none and it is not required.
    pub async fn launch() -> Option<TestBrowser> {
        let Some(executable) = chromium() else {
            if std::env::var("SCELLE_TEST_BROWSER").is_ok_and(|v| v == "required") {
                panic!(
                    "SCELLE_TEST_BROWSER=required but no Chromium: install it (apt install chromium) or set SCELLE_TEST_CHROMIUM"
                );
            }
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED browser test: no Chromium found (apt install chromium, or set SCELLE_TEST_CHROMIUM)"
            );
            return None;
        };
        let profile = TempDir::new();
        let config = BrowserConfig::builder()
            .chrome_executable(executable)
            .user_data_dir(&profile.0)
            // Containers run tests as root, where Chromium's sandbox cannot start.
            .no_sandbox()
            .args([
                "--disable-gpu",
                "--disable-dev-shm-usage",
                // This machine kind has no outside network: no update, sync or QUIC attempts.
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ])
            .window_size(1280, 900)
            .launch_timeout(Duration::from_secs(60))
            .request_timeout(Duration::from_secs(60))
            .build()
            .expect("browser config");
        let (browser, mut events) = Browser::launch(config).await.expect("Chromium starts");
        let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
        Some(TestBrowser { browser, handler, _profile: profile })
    }

    /// Opens `url` in a new tab, with the recorder installed first.
    pub async fn open(&self, url: &str) -> TestPage {
        let page = self.browser.new_page("about:blank").await.expect("new tab");
        page.evaluate_on_new_document(RECORDER).await.expect("recorder");
        // The tab in front: a background tab gets no frames, and input to it can be lost.
        page.bring_to_front().await.expect("tab in front");
        page.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
        TestPage { page }
    }

    pub async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
        self.handler.abort();
    }
}

impl TestPage {
    /// The value of a JavaScript expression (awaited when it is a promise).
    pub async fn eval<T: DeserializeOwned>(&self, js: &str) -> T {
        self.page
            .evaluate(js)
            .await
            .unwrap_or_else(|e| panic!("evaluate {js}: {e}"))
            .into_value()
            .unwrap_or_else(|e| panic!("value of {js}: {e}"))
    }

    /// Waits until `js` is truthy; panics with `what` and the page's problems after a while.
    pub async fn wait_until(&self, js: &str, what: &str) {
        let started = Instant::now();
        loop {
            if self.eval::<bool>(&format!("!!({js})")).await {
                return;
            }
            if started.elapsed() > PATIENCE {
                let text: String = self.eval("document.body ? document.body.innerText.slice(0, 2000) : ''").await;
                panic!("waited {PATIENCE:?} for {what}; problems: {:?}; page: {text}", self.problems().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for an element matching `selector`, and returns it.
    /// A React re-render can replace the element between the check and the lookup (seen on
    /// GraphiQL): the lookup is then tried again, within the same patience.
    pub async fn element(&self, selector: &str) -> Element {
        let quoted = serde_json::to_string(selector).unwrap();
        let started = Instant::now();
        loop {
            self.wait_until(&format!("document.querySelector({quoted})"), selector).await;
            match self.page.find_element(selector).await {
                Ok(element) => return element,
                Err(e) if started.elapsed() > PATIENCE => panic!("{selector}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Clicks the element matching `selector` with the mouse, once it is there, and makes sure
    /// the click reached it. Headless Chromium sometimes delivers a click to the page's root
    /// instead (seen on GraphiQL after React re-renders, though `elementFromPoint` named the
    /// button): such a click did nothing there and is sent again; a click that reached the
    /// element is never repeated.
    pub async fn click(&self, selector: &str) {
        let quoted = serde_json::to_string(selector).unwrap();
        // The element as it was when clicked: the click may change or remove it.
        let aim = format!("window.__clicked = null, window.__aim = document.querySelector({quoted}), true");
        let landed = "(() => { const t = window.__clicked; \
                      return !!t && (!t.isConnected || (!!window.__aim && window.__aim.contains(t))) })()";
        let started = Instant::now();
        loop {
            let element = self.element(selector).await;
            let _: bool = self.eval(&aim).await;
            let sent = element.click().await;
            let waited = Instant::now();
            while sent.is_ok() && waited.elapsed() < Duration::from_secs(1) {
                if self.eval::<bool>(landed).await {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if started.elapsed() > PATIENCE {
                panic!("click {selector}: it never reached the element ({sent:?})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The visible text of the first element matching `selector`, once there is one.
    pub async fn text(&self, selector: &str) -> String {
        let quoted = serde_json::to_string(selector).unwrap();
        self.wait_until(&format!("document.querySelector({quoted})"), selector).await;
        self.eval(&format!("document.querySelector({quoted}).innerText")).await
    }

    /// Script errors and CSP violations seen so far.
    pub async fn problems(&self) -> Vec<String> {
        self.eval("window.__problems || ['the recorder did not run']").await
    }

    /// Waits for the next document to load after `action` (a click that submits a form).
    pub async fn navigating<F: std::future::Future>(&self, action: F) {
        let before: String = self.eval("String(performance.timeOrigin)").await;
        action.await;
        let started = Instant::now();
        loop {
            let now: Option<String> = self
                .page
                .evaluate("document.readyState === 'complete' ? String(performance.timeOrigin) : null")
                .await
                .ok()
                .and_then(|v| v.into_value().ok());
            if now.is_some_and(|t| t != before) {
                return;
            }
            assert!(started.elapsed() < PATIENCE, "no new page after the action");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The response status of the current document (from the Navigation Timing API).
    pub async fn status(&self) -> u16 {
        self.eval("performance.getEntriesByType('navigation')[0].responseStatus").await
    }
}
