//! Files: a closure's CSV, served only as it was sealed.

use super::{HttpState, lang_of, request_error};
use crate::auth::{AuthState, authenticate};
use crate::graphql::error::code;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

/// `GET /closures/{id}.csv`: a closure's CSV, with the bearer token of the GraphQL API
/// (owners, admins, accountants). Another account's closure is not found.
pub(super) async fn closure_csv(
    state: web::Data<HttpState>,
    req: HttpRequest,
    file: web::Path<String>,
) -> HttpResponse {
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
