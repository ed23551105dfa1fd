//! Pages for people: the public view of an issued document and the buyer's form of an
//! invoice to complete, each in the document's language (see `texts`).

use super::HttpState;
use super::html::{esc, page};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use entity::DomainError;
use entity::documents::BuyerInput;
use entity::tables::{document, document_position};
use entity::texts::Lang;
use entity::texts::pages::{self as texts, PageTexts};

/// The public view of an issued document: readable without login by whoever has the link,
/// in the document's language.
pub(super) async fn view_document(state: web::Data<HttpState>, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    if !is_token(&token) {
        return not_found(texts::for_lang("en"));
    }
    match entity::documents::by_view_token(&state.app.db, &token).await {
        Ok(Some((d, lines))) => {
            let t = texts::for_lang(&d.lang);
            let number = d.number.clone().unwrap_or_default();
            let body = format!("<h1>{}</h1>{}", esc(&number), summary(t, &d, &lines));
            html(StatusCode::OK, page(t, &number, &body))
        }
        Ok(None) => not_found(texts::for_lang("en")),
        Err(e) => failure(texts::for_lang("en"), e),
    }
}

/// `GET /complete/{token}`: the buyer's form for an invoice to complete.
pub(super) async fn completion_form(state: web::Data<HttpState>, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    if !is_token(&token) {
        return not_found(texts::for_lang("en"));
    }
    match entity::documents::completion::to_complete(&state.app.db, &token).await {
        Ok((d, lines)) => form_page(StatusCode::OK, &token, &d, &lines, None, &[]),
        Err(DomainError::NotFound(_)) => already_or_not_found(&state, &token).await,
        Err(e) => failure(texts::for_lang("en"), e),
    }
}

/// `POST /complete/{token}` (`application/x-www-form-urlencoded`): the buyer validates.
pub(super) async fn complete(
    req: actix_web::HttpRequest,
    state: web::Data<HttpState>,
    token: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let token = token.into_inner();
    if !is_token(&token) {
        return not_found(texts::for_lang("en"));
    }
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty());
    let buyer = BuyerInput {
        name: get("name"),
        first_name: get("first_name"),
        last_name: get("last_name"),
        company: get("company").map(|c| c != "0"),
        tax_no: get("tax_no"),
        tax_no_kind: None,
        post_code: get("post_code"),
        city: get("city"),
        street: get("street"),
        country: get("country"),
        email: get("email"),
        phone: get("phone"),
    };
    match entity::documents::completion::complete(&state.app.db, &token, buyer.clone(), req.peer_addr().map(|a| a.ip()))
        .await
    {
        Ok(d) => {
            let t = texts::for_lang(&d.lang);
            let body = format!(
                "<h1>{}</h1><p>{}</p><p><a href=\"/view/{}\">{} {}</a></p>",
                esc(t.complete_title),
                esc(t.completed),
                esc(&d.view_token),
                esc(t.see_invoice),
                esc(d.number.as_deref().unwrap_or(""))
            );
            html(StatusCode::OK, page(t, t.complete_title, &body))
        }
        Err(DomainError::Validation(fields)) => {
            match entity::documents::completion::to_complete(&state.app.db, &token).await {
                // The form again, with what the buyer typed (nothing typed is lost) and why.
                Ok((d, lines)) => {
                    form_page(StatusCode::UNPROCESSABLE_ENTITY, &token, &d, &lines, Some(&buyer), &fields)
                }
                Err(e) => failure(texts::for_lang("en"), e),
            }
        }
        Err(DomainError::NotFound(_) | DomainError::Conflict { .. }) => already_or_not_found(&state, &token).await,
        Err(e) => failure(texts::for_lang("en"), e),
    }
}

/// A completed invoice's link says so (and leads to the invoice); any other is not found.
async fn already_or_not_found(state: &HttpState, token: &str) -> HttpResponse {
    match entity::documents::by_view_token(&state.app.db, token).await {
        Ok(Some((d, _))) if d.completed_at.is_some() => {
            let t = texts::for_lang(&d.lang);
            let body = format!(
                "<h1>{}</h1><p>{}</p><p><a href=\"/view/{}\">{}</a></p>",
                esc(t.complete_title),
                esc(t.already_completed),
                esc(token),
                esc(t.see_invoice)
            );
            html(StatusCode::CONFLICT, page(t, t.complete_title, &body))
        }
        _ => not_found(texts::for_lang("en")),
    }
}

fn is_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What these pages may do: show their own inline styles, post the form back here; no
/// script at all, no framing (clickjacking the validation), no `Referer` carrying the
/// link's token to other sites, and no copy kept by shared caches (the pages show a
/// buyer's details).
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn html(status: StatusCode, body: String) -> HttpResponse {
    super::html_page(status, CSP, "no-store", body)
}

fn not_found(t: &PageTexts) -> HttpResponse {
    html(StatusCode::NOT_FOUND, page(t, t.not_found, &format!("<p>{}</p>", esc(t.not_found))))
}

fn failure(t: &PageTexts, e: DomainError) -> HttpResponse {
    tracing::error!(error = %e, "public page failed");
    html(StatusCode::INTERNAL_SERVER_ERROR, page(t, t.failed, &format!("<p>{}</p>", esc(t.failed))))
}

fn party(
    t: &PageTexts,
    title: &str,
    name: &Option<String>,
    tax_no: &Option<String>,
    address: [&Option<String>; 4],
) -> String {
    let o = |s: &Option<String>| esc(s.as_deref().unwrap_or(""));
    let address: Vec<String> = address.iter().map(|a| o(a)).filter(|a| !a.is_empty()).collect();
    let tax = match tax_no {
        Some(n) if !n.is_empty() => format!("<br>{} {}", esc(t.tax_no), esc(n)),
        _ => String::new(),
    };
    format!("<section><h2>{}</h2><p>{}<br>{}{tax}</p></section>", esc(title), o(name), address.join(", "))
}

/// Seller, buyer, lines and totals of a document, as shown to its buyer.
fn summary(t: &PageTexts, d: &document::Model, lines: &[document_position::Model]) -> String {
    let mut rows = String::new();
    for l in lines {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&l.name),
            l.quantity,
            l.price_net,
            esc(&l.tax),
            l.total_price_net,
            l.total_price_gross
        ));
    }
    format!(
        "<p>{issued} {date}</p>{seller}{buyer}<table><thead><tr><th>{item}</th><th>{qty}</th><th>{unit}</th><th>{vat}</th>\
         <th>{net}</th><th>{gross}</th></tr></thead><tbody>{rows}</tbody></table>\
         <p>{tn} {n} {cur} · {tt} {x} {cur} · {tg} {g} {cur}</p>",
        issued = esc(t.issued_on),
        date = d.issue_date,
        seller = party(
            t,
            t.seller,
            &d.seller_name,
            &d.seller_tax_no,
            [&d.seller_street, &d.seller_post_code, &d.seller_city, &d.seller_country]
        ),
        buyer = party(
            t,
            t.buyer,
            &d.buyer_name,
            &d.buyer_tax_no,
            [&d.buyer_street, &d.buyer_post_code, &d.buyer_city, &d.buyer_country]
        ),
        item = esc(t.item),
        qty = esc(t.quantity),
        unit = esc(t.unit_net),
        vat = esc(t.vat),
        net = esc(t.net),
        gross = esc(t.gross),
        tn = esc(t.total_net),
        tt = esc(t.total_tax),
        tg = esc(t.total_gross),
        n = d.price_net,
        x = d.price_tax,
        g = d.price_gross,
        cur = esc(d.currency.as_str()),
    )
}

/// The form's field names, with what the domain calls them in its errors.
const FORM_FIELDS: [(&str, &str); 10] = [
    ("name", "buyer_name"),
    ("first_name", "buyer_first_name"),
    ("last_name", "buyer_last_name"),
    ("tax_no", "buyer_tax_no"),
    ("street", "buyer_street"),
    ("post_code", "buyer_post_code"),
    ("city", "buyer_city"),
    ("country", "buyer_country"),
    ("email", "buyer_email"),
    ("phone", "buyer_phone"),
];

/// The completion form, pre-filled with what the buyer `typed` (when sent back), else the
/// details the seller gave, with `errors` named.
fn form_page(
    status: StatusCode,
    token: &str,
    d: &document::Model,
    lines: &[document_position::Model],
    typed: Option<&BuyerInput>,
    errors: &[entity::FieldError],
) -> HttpResponse {
    let t = texts::for_lang(&d.lang);
    let lang = if t.lang == "fr" { Lang::Fr } else { Lang::En };
    let label = |form: &str| match form {
        "name" => t.name,
        "first_name" => t.first_name,
        "last_name" => t.last_name,
        "tax_no" => t.tax_no,
        "street" => t.street,
        "post_code" => t.post_code,
        "city" => t.city,
        "country" => t.country,
        "email" => t.email,
        _ => t.phone,
    };
    let typed_value = |form: &str| -> Option<String> {
        let b = typed?;
        match form {
            "name" => b.name.clone(),
            "first_name" => b.first_name.clone(),
            "last_name" => b.last_name.clone(),
            "tax_no" => b.tax_no.clone(),
            "street" => b.street.clone(),
            "post_code" => b.post_code.clone(),
            "city" => b.city.clone(),
            "country" => b.country.clone(),
            "email" => b.email.clone(),
            _ => b.phone.clone(),
        }
    };
    let value = |form: &str| -> Option<String> {
        if let Some(v) = typed_value(form) {
            return Some(v);
        }
        match form {
            "name" => d.buyer_name.clone(),
            "first_name" => d.buyer_first_name.clone(),
            "last_name" => d.buyer_last_name.clone(),
            "tax_no" => d.buyer_tax_no.clone(),
            "street" => d.buyer_street.clone(),
            "post_code" => d.buyer_post_code.clone(),
            "city" => d.buyer_city.clone(),
            "country" => d.buyer_country.clone(),
            "email" => d.buyer_email.clone(),
            _ => d.buyer_phone.clone(),
        }
    };
    let mut problems = String::new();
    for e in errors {
        let name = e.field.trim_start_matches("input.");
        let form = FORM_FIELDS.iter().find(|(_, domain)| *domain == name).map(|(f, _)| *f).unwrap_or("name");
        problems.push_str(&format!("<li>{} : {}</li>", esc(label(form)), esc(&lang.field_message(&e.code))));
    }
    let problems = if problems.is_empty() {
        String::new()
    } else {
        format!("<div class=\"error\" role=\"alert\"><p>{}</p><ul>{problems}</ul></div>", esc(t.fix_fields))
    };
    let mut inputs = String::new();
    for (form, _) in FORM_FIELDS {
        let kind = if form == "email" { "email" } else { "text" };
        inputs.push_str(&format!(
            "<label>{}<input type=\"{kind}\" name=\"{form}\" value=\"{}\"></label>",
            esc(label(form)),
            esc(value(form).as_deref().unwrap_or(""))
        ));
    }
    let is_company = typed.and_then(|b| b.company).unwrap_or(d.buyer_company);
    let checked = |company: bool| if is_company == company { " checked" } else { "" };
    let body = format!(
        "<h1>{title}</h1><p>{intro}</p>{summary}{problems}\
         <form method=\"post\" action=\"/complete/{token}\">\
         <fieldset><label><input type=\"radio\" name=\"company\" value=\"1\"{c1}> {company}</label>\
         <label><input type=\"radio\" name=\"company\" value=\"0\"{c0}> {person}</label></fieldset>\
         {inputs}<button type=\"submit\">{validate}</button></form>",
        title = esc(t.complete_title),
        intro = esc(t.complete_intro),
        summary = summary(t, d, lines),
        token = esc(token),
        c1 = checked(true),
        c0 = checked(false),
        company = esc(t.company),
        person = esc(t.person),
        validate = esc(t.validate),
    );
    html(status, page(t, t.complete_title, &body))
}
