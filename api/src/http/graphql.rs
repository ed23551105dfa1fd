//! GraphQL over HTTP, as the GraphQL-over-HTTP specification (working draft) says it:
//!
//! | request | answer |
//! |---|---|
//! | `POST`, `Content-Type: application/json`, a JSON object with a string `query` | executed |
//! | `POST` with another or no content type | 415 |
//! | `POST` whose body is not JSON, not an object, or has no string `query` | 400 |
//! | `POST` with a JSON array (a batch) | 400: one operation per request |
//! | `GET /graphql?query=…[&variables=…&operationName=…]` | a query is executed; a mutation is 405 with `Allow: POST` |
//! | `GET /graphql` without `query`, from a browser (`Accept: text/html`) | GraphiQL |
//! | any other method | 405 with `Allow: GET, POST` |
//! | `Accept` with neither `application/graphql-response+json` nor `application/json` (nor a wildcard) | 406 |
//!
//! The answer's type is `application/graphql-response+json` when the client accepts it,
//! else `application/json` (also when it sends no `Accept`, or `*/*`). With
//! `application/graphql-response+json`, a request that fails to parse or validate is 400
//! and one that executed is 200; with `application/json`, both are 200. A response of a
//! request that did not execute has no `data` entry.
//!
//! Introspection-only operations (`__schema`, `__type`, `__typename` at the root) run
//! under limits of their own, so that the standard introspection query of GraphQL tools
//! (15 levels deep) passes while data queries keep the configured depth limit.

use super::{HttpState, lang_of, read_body};
use crate::auth::{AuthState, authenticate};
use crate::graphql::error::code;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
use entity::texts::Lang;
use serde_json::{Value, json};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// The media type of the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// The answer's media type from `Accept` (q-values honoured); none acceptable: `None`.
fn negotiate(req: &HttpRequest) -> Option<Media> {
    let Some(accept) = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let mut best: Option<(f32, Media)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let range = parts.next().unwrap_or("").to_ascii_lowercase();
        let q = parts.filter_map(|p| p.strip_prefix("q=")).find_map(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
        let media = match range.as_str() {
            GRAPHQL_RESPONSE => Media::GraphqlResponse,
            "application/json" | "application/*" | "*/*" => Media::Json,
            _ => continue,
        };
        // Equal weights: the specified type wins over JSON.
        if q > 0.0 && best.is_none_or(|(bq, bm)| q > bq || (q == bq && media == Media::GraphqlResponse && bm != media))
        {
            best = Some((q, media));
        }
    }
    best.map(|(_, m)| m)
}

fn not_acceptable(req: &HttpRequest) -> HttpResponse {
    error(StatusCode::NOT_ACCEPTABLE, Media::Json, lang_of(req).not_acceptable())
}

/// A request error (the request never reached GraphQL): one error, no `data`.
fn error(status: StatusCode, media: Media, message: String) -> HttpResponse {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code::VALIDATION_FAILED } }] });
    HttpResponse::build(status).content_type(media.content_type()).body(body.to_string())
}

/// The request in a POST body: a JSON object with a string `query`, and optionally
/// `operationName` (string), `variables` and `extensions` (objects); `null` is absence.
fn from_body(body: &[u8], lang: Lang) -> Result<async_graphql::Request, String> {
    let value: Value = serde_json::from_slice(body).map_err(|_| lang.malformed_json())?;
    let Value::Object(map) = value else {
        return Err(if value.is_array() { lang.batch_refused() } else { lang.not_a_graphql_request() });
    };
    from_parts(
        map.get("query"),
        map.get("operationName"),
        map.get("variables").cloned(),
        map.get("extensions").cloned(),
        lang,
    )
}

/// Checks the parts of a request and builds it.
fn from_parts(
    query: Option<&Value>,
    operation_name: Option<&Value>,
    variables: Option<Value>,
    extensions: Option<Value>,
    lang: Lang,
) -> Result<async_graphql::Request, String> {
    let Some(Value::String(query)) = query else { return Err(lang.not_a_graphql_request()) };
    let mut request = async_graphql::Request::new(query.clone());
    match operation_name {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name.clone()),
        Some(_) => return Err(lang.not_a_graphql_request()),
    }
    match variables {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) => request = request.variables(async_graphql::Variables::from_json(v)),
        Some(_) => return Err(lang.not_a_graphql_request()),
    }
    match extensions {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, v) in map {
                let v = async_graphql::Value::from_json(v).map_err(|_| lang.not_a_graphql_request())?;
                request.extensions.insert(k, v);
            }
        }
        Some(_) => return Err(lang.not_a_graphql_request()),
    }
    Ok(request)
}

/// The operation a request will run, if its query parses and names one: its type,
/// whether it is introspection only, and its root fields (schema names, for metrics).
fn operation(request: &mut async_graphql::Request) -> Option<(OperationType, bool, Vec<String>)> {
    let name = request.operation_name.clone();
    let doc = request.parsed_query().ok()?;
    let op = match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(n)) => ops.iter().find(|(k, _)| k.as_str() == n).map(|(_, v)| v)?,
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next()?,
        _ => return None,
    };
    let items = &op.node.selection_set.node.items;
    let introspection = items.iter().all(|s| match &s.node {
        Selection::Field(f) => matches!(f.node.name.node.as_str(), "__schema" | "__type" | "__typename"),
        _ => false,
    });
    let mut fields: Vec<String> = items
        .iter()
        .filter_map(|s| match &s.node {
            Selection::Field(f) => Some(f.node.name.node.to_string()),
            _ => None,
        })
        .collect();
    fields.sort();
    fields.dedup();
    Some((op.node.ty, introspection, fields))
}

/// `POST /graphql`.
pub(super) async fn post(state: web::Data<HttpState>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let lang = lang_of(&req);
    let Some(media) = negotiate(&req) else { return not_acceptable(&req) };
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != "application/json" {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, media, lang.unsupported_media_type());
    }
    let body = match read_body(&req, payload, state.app.config.max_body_bytes).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    match from_body(&body, lang) {
        Ok(request) => run(&state, &req, request, media, false).await,
        Err(message) => error(StatusCode::BAD_REQUEST, media, message),
    }
}

/// `GET /graphql`: a query in the URL, or GraphiQL for a browser.
pub(super) async fn get(state: web::Data<HttpState>, req: HttpRequest) -> HttpResponse {
    let lang = lang_of(&req);
    let params: Vec<(String, String)> = match serde_urlencoded::from_str(req.query_string()) {
        Ok(p) => p,
        Err(_) => return error(StatusCode::BAD_REQUEST, Media::Json, lang.not_a_graphql_request()),
    };
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.split(',').any(|t| t.trim().starts_with("text/html")));
    if param("query").is_none() && wants_html && state.app.config.graphiql {
        return super::graphiql::page();
    }
    let Some(media) = negotiate(&req) else { return not_acceptable(&req) };
    let json_param = |k: &str| -> Result<Option<Value>, String> {
        match param(k) {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text).map(Some).map_err(|_| lang.not_a_graphql_request()),
        }
    };
    let (variables, extensions) = match (json_param("variables"), json_param("extensions")) {
        (Ok(v), Ok(e)) => (v, e),
        _ => return error(StatusCode::BAD_REQUEST, media, lang.not_a_graphql_request()),
    };
    let query = param("query").map(Value::String);
    let name = param("operationName").map(Value::String);
    match from_parts(query.as_ref(), name.as_ref(), variables, extensions, lang) {
        Ok(request) => run(&state, &req, request, media, true).await,
        Err(message) => error(StatusCode::BAD_REQUEST, media, message),
    }
}

/// 429 with `Retry-After` and the error contract's `RATE_LIMITED` / `retryAfter`.
fn rate_limited(media: Media, lang: Lang, secs: u64) -> HttpResponse {
    let body = json!({ "errors": [{
        "message": lang.too_many_requests(secs),
        "extensions": { "code": code::RATE_LIMITED, "retryAfter": secs }
    }] });
    HttpResponse::TooManyRequests()
        .insert_header((header::RETRY_AFTER, secs.to_string()))
        .content_type(media.content_type())
        .body(body.to_string())
}

/// Any other method on `/graphql`.
pub(super) async fn other(req: HttpRequest) -> HttpResponse {
    let lang = lang_of(&req);
    let mut resp = error(StatusCode::METHOD_NOT_ALLOWED, Media::Json, lang.method_not_allowed("GET, POST"));
    resp.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
    resp
}

/// Authenticates, executes (introspection under its own limits), and answers.
async fn run(
    state: &HttpState,
    req: &HttpRequest,
    mut request: async_graphql::Request,
    media: Media,
    over_get: bool,
) -> HttpResponse {
    let lang = lang_of(req);
    let started = std::time::Instant::now();
    let op = operation(&mut request);
    let fields = op.as_ref().map(|(_, _, f)| f.clone()).unwrap_or_default();
    if over_get && op.as_ref().is_some_and(|(ty, _, _)| *ty != OperationType::Query) {
        let mut resp = error(StatusCode::METHOD_NOT_ALLOWED, media, lang.mutation_over_get());
        resp.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return resp;
    }
    // The peer address, not a forwarded header a client could forge; behind a proxy this
    // is the proxy's address. Rate-limited here, journaled through the actor below.
    let peer = req.peer_addr().map(|a| a.ip());
    if let Err(secs) = state.rate.check_ip(peer) {
        return rate_limited(media, lang, secs);
    }
    let auth_header = req.headers().get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("invalid"));
    let mut auth = match authenticate(&state.app.db, &state.app.jwt, auth_header).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "authentication lookup failed");
            let body = json!({ "errors": [{ "message": lang.internal(), "extensions": { "code": code::INTERNAL } }] });
            return HttpResponse::InternalServerError().content_type(media.content_type()).body(body.to_string());
        }
    };
    if let AuthState::Failed(reason) = &auth {
        tracing::debug!(?reason, "bearer token refused");
    }
    if let AuthState::Authenticated(actor) = &auth
        && let Err(secs) = state.rate.check_account(actor.account_id.0)
    {
        return rate_limited(media, lang, secs);
    }
    if let AuthState::Authenticated(actor) = &mut auth {
        actor.client_ip = peer;
    }
    let schema = if op.as_ref().is_some_and(|(_, introspection, _)| *introspection) {
        &state.introspection
    } else {
        &state.schema
    };
    // Boxed: the execution of a whole request is a large future; kept inline it made the
    // handler's own future (and its copies on a worker's stack) large too.
    let execution =
        Box::pin(schema.execute(request.data(auth).data(lang).data(crate::graphql::context::ClientIp(peer))));
    let mut response = execution.await;
    // Errors raised by GraphQL itself (syntax, unknown field, wrong type, depth and
    // complexity limits) carry no code: they are all the client's request being invalid.
    for err in &mut response.errors {
        let has_code = err.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
        if !has_code {
            err.message = lang.bad_request(&err.message);
            err.extensions.get_or_insert_with(Default::default).set("code", code::VALIDATION_FAILED);
        }
    }
    // Nothing executed: the document did not parse or validate (those errors have no path).
    let executed = response.data != async_graphql::Value::Null || response.errors.iter().any(|e| !e.path.is_empty());
    let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    if !executed && let Some(map) = body.as_object_mut() {
        map.remove("data");
    }
    let outcome = response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|x| x.get("code"))
        .and_then(|c| match c {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "ok".into());
    // Root field names are the schema's only once the document validated (label values
    // never come from what a client typed).
    let fields: &[String] = if executed { &fields } else { &[] };
    state.metrics.operation(fields, &outcome, started.elapsed().as_secs_f64());
    let status = if !executed && media == Media::GraphqlResponse { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    HttpResponse::build(status).content_type(media.content_type()).body(body.to_string())
}
