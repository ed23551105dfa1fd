use scelle_tests::*;
use serde_json::json;

db_test!(health_readiness_and_graphiql, |app: TestApp| async move {
    let h = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(h.status(), 200);
    let r = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "ready");
    let g = app.http.get(app.url("/graphql")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(g.status(), 200);
    assert!(g.text().await.unwrap().contains("graphiql"));
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_jwt_secret_is_kept_across_restarts() {
    let dir = TempDir::new();
    let config = scelle_api::config::Config {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.0.clone(),
        // One signing key per process (the test servers'); the key file itself is tested
        // on the real binary (`api/tests/restart.rs`).
        ledger_key: Some(scelle_api::config::Secret::new(LEDGER_KEY)),
        ..Default::default()
    };
    let first = scelle_api::app::Application::build(config.clone()).await.unwrap();
    let key = std::fs::read_to_string(dir.0.join("jwt_secret")).unwrap();
    assert!(key.len() >= 64);
    assert!(dir.0.join("scelle.db").exists(), "SQLite created under the data dir");
    drop(first);
    scelle_api::app::Application::build(config).await.unwrap();
    assert_eq!(std::fs::read_to_string(dir.0.join("jwt_secret")).unwrap(), key);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.0.join("jwt_secret")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the key is readable by its owner only");
    }
}

/// The shutdown signal stops the HTTP server and the job workers, and `run` returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_signal_stops_http_and_workers() {
    let dir = TempDir::new();
    let config = scelle_api::config::Config {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.0.clone(),
        // One signing key per process (the test servers'); the key file itself is tested
        // on the real binary (`api/tests/restart.rs`).
        ledger_key: Some(scelle_api::config::Secret::new(LEDGER_KEY)),
        ..Default::default()
    };
    let app = scelle_api::app::Application::build(config).await.unwrap();
    let url = format!("http://{}/healthz", app.addr());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_with_shutdown(async move {
        let _ = rx.await;
        Ok(())
    }));
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
    tx.send(()).unwrap();
    let finished = tokio::time::timeout(std::time::Duration::from_secs(10), running).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))), "run_with_shutdown did not return cleanly: {finished:?}");
    assert!(reqwest::get(&url).await.is_err(), "the listener is closed");
}

db_test!(metrics_are_exposed_in_the_prometheus_format, |app: TestApp| async move {
    let s = app.sign_up("metrics@example.fr", "Metrics").await;
    app.ok(&s.access, "{ me { email } }", json!({})).await;
    let _ = app.login("metrics@example.fr", "wrong password").await;
    app.err(None, "{ nope }", json!({})).await;
    let r = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    for needle in [
        "scelle_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"}",
        "scelle_graphql_operations_total{field=\"me\",outcome=\"ok\"} 1",
        "scelle_graphql_operations_total{field=\"login\",outcome=\"UNAUTHENTICATED\"} 1",
        "scelle_graphql_operations_total{field=\"-\",outcome=\"VALIDATION_FAILED\"} 1",
        "scelle_login_failures_total 1",
        "scelle_graphql_operation_duration_seconds_bucket{field=\"signUp\"",
        "scelle_db_pool_connections{state=\"open\"}",
        "scelle_closure_emails{state=\"waiting\"} 0",
        "scelle_process_resident_memory_bytes",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    assert!(!text.contains("nope"), "no label from what a client typed");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_live_on_an_admin_listener_alone() {
    let dir = TempDir::new();
    let config = scelle_api::config::Config {
        listen: "127.0.0.1:0".into(),
        admin_listen: Some("127.0.0.1:0".into()),
        data_dir: dir.0.clone(),
        ledger_key: Some(scelle_api::config::Secret::new(LEDGER_KEY)),
        ..Default::default()
    };
    let app = scelle_api::app::Application::build(config).await.unwrap();
    let (main, admin) = (app.addr(), app.admin_addr().expect("admin listener"));
    tokio::spawn(app.run_with_shutdown(std::future::pending()));
    let http = reqwest::Client::new();
    let on = |a: std::net::SocketAddr| format!("http://{a}/metrics");
    assert_eq!(http.get(on(admin)).send().await.unwrap().status(), 200);
    assert_eq!(http.get(on(main)).send().await.unwrap().status(), 404, "not on the public listener");
}

db_test!(graphiql_is_served_whole_from_the_binary_under_its_policy, |app: TestApp| async move {
    let page = app.http.get(app.url("/graphiql")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("connect-src 'self'"), "{csp}");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    let html = page.text().await.unwrap();
    // Every script and style the page names is served here, with the bytes that were vendored.
    let sums = include_str!("../../../api/assets/graphiql/SHA256SUMS");
    let mut named = 0;
    for part in html.split(['"', '\'']).filter(|p| p.starts_with("/graphiql/")) {
        named += 1;
        let asset = app.http.get(app.url(part)).send().await.unwrap();
        assert_eq!(asset.status(), 200, "{part}");
        let file = part.trim_start_matches("/graphiql/");
        let etag = asset.headers()["etag"].clone();
        let versioned = sums.lines().any(|l| l.ends_with(&format!("  {file}")));
        let cache = asset.headers()["cache-control"].to_str().unwrap().to_owned();
        assert_eq!(cache.contains("immutable"), versioned, "{part}: {cache}");
        let bytes = asset.bytes().await.unwrap();
        if versioned {
            let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
            assert!(sums.contains(&format!("{digest}  {file}")), "{part} is not the vendored file");
        }
        // Revalidation answers 304 without the body.
        let again = app.http.get(app.url(part)).header("if-none-match", etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{part}");
    }
    assert!(named >= 5, "the page names its scripts and styles: {html}");
    // Compressed for a client that accepts it (reqwest here does not decode).
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let gz =
        raw.get(app.url("/graphiql/graphiql-3.8.3.min.js")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.headers()["vary"], "Accept-Encoding");
    let plain = raw.get(app.url("/graphiql/graphiql-3.8.3.min.js")).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let (gz, plain) = (gz.bytes().await.unwrap(), plain.bytes().await.unwrap());
    assert!(gz.len() * 2 < plain.len(), "{} vs {}", gz.len(), plain.len());
    let missing = app.http.get(app.url("/graphiql/nothing.js")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
});

db_test!(
    graphiql_can_be_turned_off,
    |c: &mut scelle_api::config::Config| c.graphiql = false,
    |app: TestApp| async move {
        for path in ["/graphiql", "/graphiql/graphiql-3.8.3.min.js"] {
            let r = app.http.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 404, "{path}");
        }
        let g = app.http.get(app.url("/graphql")).header("accept", "text/html, */*;q=0.8").send().await.unwrap();
        assert_eq!(g.status(), 400);
    }
);
