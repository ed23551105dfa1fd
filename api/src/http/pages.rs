//! Pages for people: GraphiQL and the public view of an issued document.

use super::HttpState;
use actix_web::{HttpResponse, web};
use async_graphql::http::GraphiQLSource;

/// GraphiQL, the in-browser IDE, on `/graphql`.
pub(super) fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(GraphiQLSource::build().endpoint("/graphql").title("Scelle GraphQL").finish())
}

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The public view of an issued document: readable without login by whoever has the link.
pub(super) async fn view_document(state: web::Data<HttpState>, token: web::Path<String>) -> HttpResponse {
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
