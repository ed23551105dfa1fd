//! HTTP: the GraphQL endpoint (`graphql`: GraphQL over HTTP, POST and GET), GraphiQL
//! (`graphiql`), the public pages (`pages`), closure files (`files`), CORS for browser
//! applications on other origins, `/healthz`, `/readyz` and `/metrics`.

mod files;
mod graphiql;
mod graphql;
mod html;
pub mod metrics;
mod pages;
pub mod rate;

use crate::graphql::error::code;
use crate::graphql::{AppContext, AppSchema};
use actix_web::dev::Server;
use actix_web::http::{StatusCode, header};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use entity::texts::Lang;
use futures_util::StreamExt;
use migration::MigratorTrait;
use serde_json::json;
use std::net::TcpListener;

#[derive(Clone)]
pub struct HttpState {
    pub app: AppContext,
    pub schema: AppSchema,
    /// The same schema under the limits of introspection (see `graphql`).
    pub introspection: AppSchema,
    pub rate: std::sync::Arc<rate::RateLimits>,
    pub metrics: std::sync::Arc<metrics::Metrics>,
    /// The admin listener, which alone serves `/metrics` when there is one.
    pub admin_addr: Option<std::net::SocketAddr>,
}

/// The HTTP server on `listener`, and on `admin` (which alone serves `/metrics`) when given.
pub fn server(listener: TcpListener, admin: Option<TcpListener>, state: HttpState) -> std::io::Result<Server> {
    let origins = state.app.config.cors_origins();
    let ide = state.app.config.graphiql;
    let metrics = state.metrics.clone();
    let data = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        let metrics = metrics.clone();
        App::new()
            .app_data(data.clone())
            .wrap(actix_web::middleware::Condition::new(!origins.is_empty(), cors(&origins)))
            .wrap_fn(move |req, srv| {
                use actix_web::dev::Service;
                let route = req.match_pattern().unwrap_or_else(|| "-".to_owned());
                let method = req.method().to_string();
                let started = std::time::Instant::now();
                let metrics = metrics.clone();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    metrics.http(&route, &method, res.status().as_u16(), started.elapsed().as_secs_f64());
                    Ok(res)
                }
            })
            .wrap(access_log())
            .route("/metrics", web::get().to(metrics_page))
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/view/{token}", web::get().to(pages::view_document))
            .route("/complete/{token}", web::get().to(pages::completion_form))
            .route("/complete/{token}", web::post().to(pages::complete))
            .route("/closures/{file}", web::get().to(files::closure_csv))
            .configure(|c| {
                if ide {
                    c.route("/graphiql", web::get().to(async || graphiql::page()))
                        .route("/graphiql/{file}", web::get().to(graphiql::asset));
                }
            })
            .service(
                web::resource("/graphql")
                    .route(web::post().to(graphql::post))
                    .route(web::get().to(graphql::get))
                    .default_service(web::to(graphql::other)),
            )
    })
    .shutdown_timeout(30)
    // One signal handler for the whole process (see `app::shutdown_signal`): actix's own
    // would stop the HTTP server but leave the job workers running.
    .disable_signals()
    .listen(listener)?;
    if let Some(admin) = admin {
        server = server.listen(admin)?;
    }
    Ok(server.run())
}

/// `/metrics`: on the admin listener only, when there is one.
async fn metrics_page(state: web::Data<HttpState>, req: HttpRequest) -> HttpResponse {
    if state.admin_addr.is_some_and(|a| req.app_config().local_addr() != a) {
        return HttpResponse::NotFound().finish();
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.app.db).await)
}

/// CORS for browser applications served from `origins` (`*`: any origin). Credentials
/// are not part of it: Scelle reads no cookie; the browser sends the bearer token in the
/// `Authorization` header, which the preflight allows.
fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut c = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT, header::ACCEPT_LANGUAGE])
        .expose_headers([header::HeaderName::from_static("x-content-sha256")])
        .max_age(3600);
    for o in origins {
        c = if o == "*" { c.allow_any_origin() } else { c.allowed_origin(o) };
    }
    c
}

/// Access log: method, route template (`/view/{token}`, never the path itself, whose
/// segments may be secrets, nor its query string), status and latency; no bodies or
/// headers. Paths that match no route show as `-`.
/// An HTML page the server renders, under its own `Content-Security-Policy`, with the headers
/// every page shares: no `Referer` to other sites (a public link's token would leak), no
/// content sniffing. `cache` is the page's `Cache-Control`.
fn html_page(status: StatusCode, csp: &'static str, cache: &'static str, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(body)
}

fn access_log() -> actix_web::middleware::Logger {
    actix_web::middleware::Logger::new("%{method}xi %{route}xi %s %Dms")
        .custom_request_replace("method", |req| req.method().to_string())
        .custom_request_replace("route", |req| req.match_pattern().unwrap_or_else(|| "-".to_owned()))
        .exclude("/healthz")
}

/// A GraphQL-shaped error for failures that happen before GraphQL runs.
pub(crate) fn request_error(status: StatusCode, code: &str, message: String) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))
}

pub(crate) async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    max: usize,
) -> Result<Vec<u8>, HttpResponse> {
    let lang = lang_of(req);
    let too_large = || request_error(StatusCode::PAYLOAD_TOO_LARGE, code::VALIDATION_FAILED, lang.body_too_large(max));
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(max));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|_| request_error(StatusCode::BAD_REQUEST, code::VALIDATION_FAILED, lang.malformed_json()))?;
        if body.len() + chunk.len() > max {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub(crate) fn lang_of(req: &HttpRequest) -> Lang {
    Lang::from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready when the database answers and no migration is pending.
async fn readyz(state: web::Data<HttpState>) -> HttpResponse {
    let db = &state.app.db;
    if db.ping().await.is_err() {
        return HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "database": "unreachable" }));
    }
    match migration::Migrator::get_pending_migrations(db).await {
        Ok(p) if p.is_empty() => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Ok(p) => {
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "pendingMigrations": p.len() }))
        }
        Err(_) => HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "database": "error" })),
    }
}
