//! HTTP: `POST /graphql` (bounded body, JSON errors), GraphiQL on `GET /graphql`,
//! `/healthz` and `/readyz`.

use crate::auth::{AuthState, authenticate};
use crate::graphql::error::code;
use crate::graphql::i18n::Lang;
use crate::graphql::{AppContext, AppSchema};
use actix_web::dev::Server;
use actix_web::http::{StatusCode, header};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, guard, web};
use async_graphql::http::GraphiQLSource;
use futures_util::StreamExt;
use migration::MigratorTrait;
use serde_json::json;
use std::net::TcpListener;

#[derive(Clone)]
pub struct HttpState {
    pub app: AppContext,
    pub schema: AppSchema,
}

pub fn server(listener: TcpListener, state: HttpState) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(access_log())
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/view/{token}", web::get().to(view_document))
            .route("/closures/{file}", web::get().to(closure_csv))
            .service(web::resource("/graphql").guard(guard::Post()).to(graphql))
            .service(web::resource("/graphql").guard(guard::Get()).to(graphiql))
    })
    .shutdown_timeout(30)
    // One signal handler for the whole process (see `app::shutdown_signal`): actix's own
    // would stop the HTTP server but leave the job workers running.
    .disable_signals()
    .listen(listener)?
    .run())
}

/// Access log: method, route template (`/view/{token}`, never the path itself, whose
/// segments may be secrets, nor its query string), status and latency; no bodies or
/// headers. Paths that match no route show as `-`.
fn access_log() -> actix_web::middleware::Logger {
    actix_web::middleware::Logger::new("%{method}xi %{route}xi %s %Dms")
        .custom_request_replace("method", |req| req.method().to_string())
        .custom_request_replace("route", |req| req.match_pattern().unwrap_or_else(|| "-".to_owned()))
        .exclude("/healthz")
}

/// A GraphQL-shaped error for failures that happen before GraphQL runs.
fn request_error(status: StatusCode, code: &str, message: String) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))
}

async fn read_body(req: &HttpRequest, mut payload: web::Payload, max: usize) -> Result<Vec<u8>, HttpResponse> {
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

fn lang_of(req: &HttpRequest) -> Lang {
    Lang::from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

async fn graphql(state: web::Data<HttpState>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let lang = lang_of(&req);
    let body = match read_body(&req, payload, state.app.config.max_body_bytes).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let Ok(request) = serde_json::from_slice::<async_graphql::Request>(&body) else {
        return request_error(StatusCode::BAD_REQUEST, code::VALIDATION_FAILED, lang.malformed_json());
    };
    let auth_header = req.headers().get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("invalid"));
    let auth = match authenticate(&state.app.db, &state.app.jwt, auth_header).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "authentication lookup failed");
            return request_error(StatusCode::INTERNAL_SERVER_ERROR, code::INTERNAL, lang.internal());
        }
    };
    if let AuthState::Failed(reason) = &auth {
        tracing::debug!(?reason, "bearer token refused");
    }
    // The peer address, not a forwarded header a client could forge; behind a proxy this
    // is the proxy's address.
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    // Boxed: the execution of a whole request is a large future; kept inline it made the
    // handler's own future (and its copies on a worker's stack) large too.
    let execution = Box::pin(state.schema.execute(request.data(auth).data(lang)));
    let mut response = entity::journal::CLIENT_IP.scope(ip, execution).await;
    // Errors raised by GraphQL itself (syntax, unknown field, wrong type, depth and
    // complexity limits) carry no code: they are all the client's request being invalid.
    for err in &mut response.errors {
        let has_code = err.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
        if !has_code {
            err.message = lang.bad_request(&err.message);
            err.extensions.get_or_insert_with(Default::default).set("code", code::VALIDATION_FAILED);
        }
    }
    HttpResponse::Ok().json(response)
}

async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(GraphiQLSource::build().endpoint("/graphql").title("Scelle GraphQL").finish())
}

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The public view of an issued document: readable without login by whoever has the link.
async fn view_document(state: web::Data<HttpState>, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return HttpResponse::NotFound().body("Not found");
    }
    match entity::documents::by_view_token(&state.app.db, &token).await {
        Ok(Some((d, lines))) => {
            let opt = |s: &Option<String>| esc(s.as_deref().unwrap_or(""));
            let mut rows = String::new();
            for l in &lines {
                rows.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&l.name),
                    esc(&l.quantity),
                    esc(&l.price_net),
                    esc(&l.tax),
                    esc(&l.total_price_net),
                    esc(&l.total_price_gross)
                ));
            }
            let html = format!(
                "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{number}</title></head><body>\
                 <h1>{number}</h1><p>{issue}</p><h2>{seller}</h2><p>{seller_tax}</p><h2>{buyer}</h2><p>{buyer_tax}</p>\
                 <table><thead><tr><th>Name</th><th>Qty</th><th>Unit net</th><th>Tax</th><th>Net</th><th>Gross</th></tr></thead>\
                 <tbody>{rows}</tbody></table><p>Net {net} · Tax {tax} · Gross {gross} {currency}</p></body></html>",
                lang = esc(&d.lang),
                number = opt(&d.number),
                issue = d.issue_date,
                seller = opt(&d.seller_name),
                seller_tax = opt(&d.seller_tax_no),
                buyer = opt(&d.buyer_name),
                buyer_tax = opt(&d.buyer_tax_no),
                net = esc(&d.price_net),
                tax = esc(&d.price_tax),
                gross = esc(&d.price_gross),
                currency = esc(&d.currency),
            );
            HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html)
        }
        Ok(None) => HttpResponse::NotFound().body("Not found"),
        Err(e) => {
            tracing::error!(error = %e, "public view failed");
            HttpResponse::InternalServerError().body("Internal error")
        }
    }
}

/// `GET /closures/{id}.csv`: a closure's CSV, with the bearer token of the GraphQL API
/// (owners, admins, accountants). Another account's closure is not found.
async fn closure_csv(state: web::Data<HttpState>, req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    let lang = lang_of(&req);
    let not_found = || request_error(StatusCode::NOT_FOUND, code::NOT_FOUND, lang.not_found("closure"));
    let Some(id) = file.strip_suffix(".csv").and_then(|id| uuid::Uuid::parse_str(id).ok()) else {
        return not_found();
    };
    let auth_header = req.headers().get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("invalid"));
    let actor = match authenticate(&state.app.db, &state.app.jwt, auth_header).await {
        Ok(AuthState::Authenticated(a)) => a,
        Ok(AuthState::Failed(f)) => {
            let e = crate::graphql::error::to_graphql(entity::DomainError::Unauthenticated(f), lang);
            return request_error(StatusCode::UNAUTHORIZED, code::UNAUTHENTICATED, e.message);
        }
        Ok(AuthState::Anonymous) => {
            let e = crate::graphql::error::to_graphql(
                entity::DomainError::Unauthenticated(entity::error::AuthFailure::MissingToken),
                lang,
            );
            return request_error(StatusCode::UNAUTHORIZED, code::UNAUTHENTICATED, e.message);
        }
        Err(e) => {
            tracing::error!(error = %e, "authentication lookup failed");
            return request_error(StatusCode::INTERNAL_SERVER_ERROR, code::INTERNAL, lang.internal());
        }
    };
    match entity::closures::get_verified(&state.app.db, &actor, id).await {
        Ok(c) => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"closure-{}-{}.csv\"", c.frequency, c.period_start),
            ))
            .insert_header(("X-Content-SHA256", c.csv_sha256.clone()))
            .body(c.csv),
        Err(entity::DomainError::NotFound(_)) => not_found(),
        Err(entity::DomainError::Forbidden) => request_error(StatusCode::FORBIDDEN, code::FORBIDDEN, lang.forbidden()),
        // Never served as if intact: the body no longer matches the hash it was sealed with.
        Err(entity::DomainError::Integrity(e)) => {
            tracing::error!(error = %e, "closure file altered");
            request_error(StatusCode::CONFLICT, code::INTEGRITY_FAILED, lang.integrity_failed())
        }
        Err(e) => {
            tracing::error!(error = %e, "closure download failed");
            request_error(StatusCode::INTERNAL_SERVER_ERROR, code::INTERNAL, lang.internal())
        }
    }
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
