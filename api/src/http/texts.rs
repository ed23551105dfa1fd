//! Every text of the pages shown to people (the public view of a document, the buyer's
//! completion form), in French and English: the document's language (`lang`, the seed's
//! values: `fr`, `en`, …) picks, English otherwise.

/// The labels of one language.
pub struct PageTexts {
    pub lang: &'static str,
    pub not_found: &'static str,
    pub issued_on: &'static str,
    pub seller: &'static str,
    pub buyer: &'static str,
    pub tax_no: &'static str,
    pub item: &'static str,
    pub quantity: &'static str,
    pub unit_net: &'static str,
    pub vat: &'static str,
    pub net: &'static str,
    pub gross: &'static str,
    pub total_net: &'static str,
    pub total_tax: &'static str,
    pub total_gross: &'static str,
    pub complete_title: &'static str,
    pub complete_intro: &'static str,
    pub company: &'static str,
    pub person: &'static str,
    pub name: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub street: &'static str,
    pub post_code: &'static str,
    pub city: &'static str,
    pub country: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub validate: &'static str,
    pub completed: &'static str,
    pub already_completed: &'static str,
    pub see_invoice: &'static str,
    pub fix_fields: &'static str,
    pub failed: &'static str,
}

const FR: PageTexts = PageTexts {
    lang: "fr",
    not_found: "Document introuvable.",
    issued_on: "Émise le",
    seller: "Vendeur",
    buyer: "Acheteur",
    tax_no: "N° TVA",
    item: "Désignation",
    quantity: "Qté",
    unit_net: "PU HT",
    vat: "TVA",
    net: "HT",
    gross: "TTC",
    total_net: "Total HT",
    total_tax: "Total TVA",
    total_gross: "Total TTC",
    complete_title: "Facture à compléter",
    complete_intro: "Vérifiez ou complétez vos coordonnées : la facture sera émise avec celles-ci et ne changera plus.",
    company: "Entreprise",
    person: "Particulier",
    name: "Raison sociale",
    first_name: "Prénom",
    last_name: "Nom",
    street: "Adresse",
    post_code: "Code postal",
    city: "Ville",
    country: "Pays",
    email: "E-mail",
    phone: "Téléphone",
    validate: "Valider et émettre la facture",
    completed: "Merci : la facture est émise.",
    already_completed: "Cette facture a déjà été complétée.",
    see_invoice: "Voir la facture",
    fix_fields: "Corrigez les champs signalés :",
    failed: "La facture n'a pas pu être émise. Réessayez plus tard.",
};

const EN: PageTexts = PageTexts {
    lang: "en",
    not_found: "Document not found.",
    issued_on: "Issued on",
    seller: "Seller",
    buyer: "Buyer",
    tax_no: "VAT number",
    item: "Item",
    quantity: "Qty",
    unit_net: "Unit price excl. tax",
    vat: "VAT",
    net: "Excl. tax",
    gross: "Incl. tax",
    total_net: "Total excl. tax",
    total_tax: "Total VAT",
    total_gross: "Total incl. tax",
    complete_title: "Invoice to complete",
    complete_intro: "Check or complete your details: the invoice will be issued with them and will not change again.",
    company: "Business",
    person: "Private person",
    name: "Company name",
    first_name: "First name",
    last_name: "Last name",
    street: "Address",
    post_code: "Postcode",
    city: "City",
    country: "Country",
    email: "E-mail",
    phone: "Phone",
    validate: "Validate and issue the invoice",
    completed: "Thank you: the invoice is issued.",
    already_completed: "This invoice has already been completed.",
    see_invoice: "See the invoice",
    fix_fields: "Please correct these fields:",
    failed: "The invoice could not be issued. Please try again later.",
};

/// The texts for a document's language.
pub fn for_lang(lang: &str) -> &'static PageTexts {
    if lang.to_ascii_lowercase().starts_with("fr") { &FR } else { &EN }
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A whole page: the document's language, UTF-8, a title, no script.
pub fn page(t: &PageTexts, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>\
         <style>body{{font-family:sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}}\
         label{{display:block;margin:.4rem 0}}input{{width:100%;max-width:24rem}}.error{{color:#a00}}</style>\
         </head><body>{body}</body></html>",
        t.lang,
        esc(title)
    )
}
