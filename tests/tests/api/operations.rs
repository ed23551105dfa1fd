use scelle_tests::*;

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
