//! GraphiQL, the in-browser IDE, served whole from this binary: the page on `/graphiql`
//! (and on `GET /graphql` for a browser), GraphiQL and React at pinned versions under
//! `/graphiql/` (vendored in `api/assets/graphiql`, refreshed by its `update.sh`). Nothing
//! comes from a CDN, so the IDE works offline and under a Content-Security-Policy that lets
//! scripts come from this origin only.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::OnceLock;

/// What the page may load: scripts and styles from this origin (React sets inline styles,
/// hence `'unsafe-inline'` for styles alone), GraphiQL's fonts as `data:` URIs, requests
/// to this origin only; no framing, no `<base>`, no form posts.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   font-src data:; img-src 'self' data:; connect-src 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    /// The name carries the version, so browsers may keep it for good.
    versioned: bool,
}

macro_rules! asset {
    ($name:literal, $type:expr, $versioned:literal) => {
        Asset {
            name: $name,
            content_type: $type,
            bytes: include_bytes!(concat!("../../assets/graphiql/", $name)),
            versioned: $versioned,
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static ASSETS: [Asset; 6] = [
    asset!("react-18.3.1.min.js", JS, true),
    asset!("react-dom-18.3.1.min.js", JS, true),
    asset!("graphiql-3.8.3.min.js", JS, true),
    asset!("graphiql-3.8.3.min.css", CSS, true),
    asset!("page.css", CSS, false),
    asset!("init.js", JS, false),
];

/// Each asset's entity tag and gzip form, made once on first use.
static PREPARED: [OnceLock<Prepared>; 6] = [const { OnceLock::new() }; 6];

struct Prepared {
    etag: String,
    gzip: Vec<u8>,
}

fn prepared(i: usize) -> &'static Prepared {
    PREPARED[i].get_or_init(|| {
        let bytes = ASSETS[i].bytes;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing to memory cannot fail.
        gz.write_all(bytes).expect("gzip to memory");
        let gzip = gz.finish().expect("gzip to memory");
        Prepared { etag: format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..32]), gzip }
    })
}

/// The page: no inline script, each file by its versioned name.
pub(super) fn page() -> HttpResponse {
    let mut head = String::new();
    let mut scripts = String::new();
    for a in &ASSETS {
        if a.content_type == CSS {
            head.push_str(&format!("<link rel=\"stylesheet\" href=\"/graphiql/{}\">", a.name));
        } else if a.content_type == JS {
            scripts.push_str(&format!("<script src=\"/graphiql/{}\"></script>", a.name));
        }
    }
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Scelle GraphQL</title>{head}</head>\
         <body><div id=\"graphiql\">Loading GraphiQL…</div>{scripts}</body></html>"
    );
    super::html_page(StatusCode::OK, CSP, "no-cache", body)
}

/// `GET /graphiql/{file}`: one of the files above, gzipped when the browser accepts it,
/// `304 Not Modified` when it already has it.
pub(super) async fn asset(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    let Some(i) = ASSETS.iter().position(|a| a.name == file.as_str()) else {
        return HttpResponse::NotFound().finish();
    };
    let a = &ASSETS[i];
    // The first request compresses the file (a few megabytes): off the async threads.
    let Ok(p) = web::block(move || prepared(i)).await else {
        return HttpResponse::InternalServerError().finish();
    };
    let cache = if a.versioned { "public, max-age=31536000, immutable" } else { "no-cache" };
    let header_has = |name: header::HeaderName, needle: &str| {
        req.headers().get_all(name).filter_map(|v| v.to_str().ok()).any(|v| v.split(',').any(|t| t.trim() == needle))
    };
    if header_has(header::IF_NONE_MATCH, &p.etag) || header_has(header::IF_NONE_MATCH, "*") {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, p.etag.clone()))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish();
    }
    let gzip = req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(accepts_gzip);
    let mut res = HttpResponse::build(StatusCode::OK);
    res.content_type(a.content_type)
        .insert_header((header::ETAG, p.etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if gzip { res.insert_header((header::CONTENT_ENCODING, "gzip")).body(p.gzip.clone()) } else { res.body(a.bytes) }
}

/// Whether an `Accept-Encoding` value takes gzip (`gzip`, `gzip;q=0.5`, `*`; not `gzip;q=0`).
fn accepts_gzip(accept: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        let q = parts.filter_map(|p| p.strip_prefix("q=")).find_map(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && q > 0.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vendored files are the registry's bytes: `SHA256SUMS` was written by `update.sh`
    /// from `npm pack`, and each file served is the one it names.
    #[test]
    fn vendored_files_are_the_published_ones() {
        let sums = include_str!("../../assets/graphiql/SHA256SUMS");
        let mut checked = 0;
        for line in sums.lines() {
            let (sum, name) = line.split_once("  ").expect("sha256sum format");
            let a = ASSETS.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("{name} is not served"));
            assert_eq!(hex::encode(Sha256::digest(a.bytes)), sum, "{name} differs from the published file");
            checked += 1;
        }
        assert_eq!(checked, ASSETS.iter().filter(|a| a.versioned).count(), "every versioned file is checked");
    }

    #[test]
    fn gzip_is_sent_only_when_accepted() {
        assert!(accepts_gzip("gzip, deflate, br, zstd"));
        assert!(accepts_gzip("br;q=1.0, gzip;q=0.5"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("br, identity"));
    }
}
