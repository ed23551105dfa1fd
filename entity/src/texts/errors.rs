//! Every message of an error answer, in English and French: the domain speaks in codes
//! (`DomainError`, `FieldCode`), the transports choose the language, these say it.

use super::Lang;
use crate::FieldCode;
use crate::error::{AuthFailure, ConflictKind};

impl Lang {
    pub fn not_found(self, what: &str) -> String {
        let (en, fr) = match what {
            "department" => ("Department not found.", "Département introuvable."),
            "api_token" => ("API token not found.", "Jeton d'API introuvable."),
            "client" => ("Contact not found.", "Contact introuvable."),
            "category" => ("Category not found.", "Catégorie introuvable."),
            "product" => ("Product not found.", "Produit introuvable."),
            "price_list" => ("Price list not found.", "Tarif introuvable."),
            "document" => ("Document not found.", "Document introuvable."),
            "payment" => ("Payment not found.", "Paiement introuvable."),
            "closure" => ("Closure not found.", "Clôture introuvable."),
            "account" => ("Account not found.", "Compte introuvable."),
            "user" => ("User not found.", "Utilisateur introuvable."),
            "webhook" => ("Webhook not found.", "Webhook introuvable."),
            "delivery" => ("Webhook delivery not found.", "Envoi de webhook introuvable."),
            _ => ("Not found.", "Introuvable."),
        };
        self.pick(en, fr)
    }

    pub fn validation_failed(self) -> String {
        self.pick("Some fields are invalid.", "Certains champs sont invalides.")
    }

    pub fn forbidden(self) -> String {
        self.pick("Your role does not allow this action.", "Votre rôle ne permet pas cette action.")
    }

    pub fn sealed(self, record: crate::SealedRecord) -> String {
        match record {
            crate::SealedRecord::Document => self.pick(
                "This document is issued and sealed: it can no longer change or be deleted. Correct it with a credit note.",
                "Ce document est émis et scellé : il ne peut plus être modifié ni supprimé. Corrigez-le par un avoir.",
            ),
            crate::SealedRecord::Payment => self.pick(
                "This payment is sealed: it can no longer change or be deleted. Record a correcting payment instead.",
                "Ce paiement est scellé : il ne peut plus être modifié ni supprimé. Enregistrez plutôt un paiement correctif.",
            ),
        }
    }

    pub fn internal(self) -> String {
        self.pick("Internal error. It has been logged.", "Erreur interne. Elle a été consignée.")
    }

    pub fn integrity_failed(self) -> String {
        self.pick(
            "This account's certification records were altered outside Scelle; nothing is written over them. \
             Run `scelle verify` to see what changed.",
            "Les enregistrements certifiés de ce compte ont été modifiés hors de Scelle ; rien n'est écrit par-dessus. \
             Lancez `scelle verify` pour voir ce qui a changé.",
        )
    }

    pub fn too_many_requests(self, secs: u64) -> String {
        self.pick(
            format!("Too many requests. Try again in {secs} seconds."),
            format!("Trop de requêtes. Réessayez dans {secs} secondes."),
        )
    }

    pub fn rate_limited(self, secs: i64) -> String {
        self.pick(
            format!("Too many failed attempts. Try again in {secs} seconds."),
            format!("Trop de tentatives échouées. Réessayez dans {secs} secondes."),
        )
    }

    pub fn unauthenticated(self, f: AuthFailure) -> String {
        match f {
            AuthFailure::MissingToken => self.pick("Authentication required.", "Authentification requise."),
            AuthFailure::InvalidCredentials => {
                self.pick("Invalid e-mail or password.", "Adresse e-mail ou mot de passe incorrect.")
            }
            AuthFailure::InvalidToken => self.pick("Invalid token.", "Jeton invalide."),
            AuthFailure::ExpiredToken => self.pick("Token expired.", "Jeton expiré."),
            AuthFailure::RevokedToken => self.pick("Token revoked.", "Jeton révoqué."),
            AuthFailure::RefreshTokenReused => self.pick(
                "This refresh token was already used: the session has been closed for safety. Please log in again.",
                "Ce jeton de rafraîchissement a déjà été utilisé : la session a été fermée par sécurité. Reconnectez-vous.",
            ),
            AuthFailure::RefreshTokenAlreadyUsed => self.pick(
                "This refresh token was exchanged a moment ago by another request; use the tokens it received.",
                "Ce jeton de rafraîchissement vient d'être échangé par une autre requête ; utilisez les jetons qu'elle a reçus.",
            ),
            AuthFailure::AccountInactive => self.pick("This account is not active.", "Ce compte n'est pas actif."),
            AuthFailure::UserDisabled => self.pick("This user is disabled.", "Cet utilisateur est désactivé."),
        }
    }

    pub fn conflict(self, k: ConflictKind) -> String {
        match k {
            ConflictKind::EmailTaken => {
                self.pick("This e-mail address is already registered.", "Cette adresse e-mail est déjà enregistrée.")
            }
            ConflictKind::PrefixTaken => {
                self.pick("This account prefix is already taken.", "Ce préfixe de compte est déjà pris.")
            }
            ConflictKind::MainDepartmentDeletion => self.pick(
                "The main department cannot be deleted; make another department the main one first.",
                "Le département principal ne peut pas être supprimé ; désignez d'abord un autre département principal.",
            ),
            ConflictKind::DocumentIssued => self.pick(
                "This document is issued and cannot be changed or deleted; correct it with a credit note.",
                "Ce document est émis et ne peut être ni modifié ni supprimé ; corrigez-le par un avoir.",
            ),
            ConflictKind::DepartmentInUse => self.pick(
                "This department has documents and cannot be deleted.",
                "Ce département a des documents et ne peut pas être supprimé.",
            ),
            ConflictKind::CodeTaken => {
                self.pick("Another product already has this code.", "Un autre produit a déjà cette référence.")
            }
            ConflictKind::ProductInPackage => self.pick(
                "This product is part of a package: remove it from the package first.",
                "Ce produit fait partie d'un lot : retirez-le d'abord du lot.",
            ),
            ConflictKind::DocumentHasPayments => self.pick(
                "Payments are applied to this document: delete them or apply them elsewhere first.",
                "Des paiements sont affectés à ce document : supprimez-les ou affectez-les ailleurs d'abord.",
            ),
            ConflictKind::ConcurrentModification => self.pick(
                "Another change was made at the same moment; please retry.",
                "Une autre modification a eu lieu au même moment ; veuillez réessayer.",
            ),
            ConflictKind::OidTaken => self.pick(
                "Another document already has this order number (oid).",
                "Un autre document a déjà ce numéro de commande (oid).",
            ),
            ConflictKind::DocumentCancelled => self
                .pick("This document is cancelled and no longer changes.", "Ce document est annulé et ne change plus."),
            ConflictKind::AlreadyCompleted => self.pick(
                "This invoice was already completed and validated by its buyer.",
                "Cette facture a déjà été complétée et validée par son acheteur.",
            ),
            ConflictKind::SignUpDisabled => {
                self.pick("Sign-up is disabled on this server.", "L'inscription est désactivée sur ce serveur.")
            }
        }
    }

    /// Stable code of a field error, for clients that localise themselves.
    pub fn field_code(c: &FieldCode) -> &'static str {
        match c {
            FieldCode::Required => "REQUIRED",
            FieldCode::TooLong { .. } => "TOO_LONG",
            FieldCode::TooShort { .. } => "TOO_SHORT",
            FieldCode::InvalidEmail => "INVALID_EMAIL",
            FieldCode::InvalidDecimal => "INVALID_DECIMAL",
            FieldCode::InvalidId => "INVALID_ID",
            FieldCode::NotOneOf { .. } => "NOT_ONE_OF",
            FieldCode::OutOfRange { .. } => "OUT_OF_RANGE",
            FieldCode::Rule(_) => "RULE",
        }
    }

    pub fn field_message(self, c: &FieldCode) -> String {
        match c {
            FieldCode::Required => self.pick("This field is required.", "Ce champ est obligatoire."),
            FieldCode::TooLong { max } => {
                self.pick(format!("At most {max} characters."), format!("{max} caractères au maximum."))
            }
            FieldCode::TooShort { min } => {
                self.pick(format!("At least {min} characters."), format!("{min} caractères au minimum."))
            }
            FieldCode::InvalidEmail => self.pick("Not a valid e-mail address.", "Adresse e-mail invalide."),
            FieldCode::InvalidDecimal => self.pick(
                "Not a valid decimal number (write it as a string, with a dot: \"12.50\").",
                "Nombre décimal invalide (en chaîne, avec un point : \"12.50\").",
            ),
            FieldCode::InvalidId => self.pick("Not a valid identifier.", "Identifiant invalide."),
            FieldCode::NotOneOf { allowed } => self.pick(
                format!("Must be one of: {}.", allowed.join(", ")),
                format!("Doit valoir l'une de ces valeurs : {}.", allowed.join(", ")),
            ),
            FieldCode::OutOfRange { min, max } => self
                .pick(format!("Must be between {min} and {max}."), format!("Doit être compris entre {min} et {max}.")),
            FieldCode::Rule(rule) => self.rule(rule),
        }
    }

    fn rule(self, rule: &str) -> String {
        match rule {
            "unknown_time_zone" => self.pick(
                "Unknown time zone (use an IANA name such as Europe/Paris).",
                "Fuseau horaire inconnu (nom IANA, par ex. Europe/Paris).",
            ),
            "webhook_url_http" => self.pick(
                "Use an absolute http or https URL, e.g. https://example.com/hooks/scelle.",
                "Utilisez une URL http ou https absolue, par ex. https://example.com/hooks/scelle.",
            ),
            "webhook_url_credentials" => self.pick(
                "No user or password in the URL: give the endpoint's token as apiToken.",
                "Ni utilisateur ni mot de passe dans l'URL : indiquez le jeton de l'adresse dans apiToken.",
            ),
            "webhook_url_private" => self.pick(
                "This address is local or private: webhooks only reach public addresses.",
                "Cette adresse est locale ou privée : les webhooks ne joignent que des adresses publiques.",
            ),
            "currency_code" => self.pick(
                "Use a three-letter ISO 4217 code, e.g. EUR.",
                "Utilisez un code ISO 4217 de trois lettres, par ex. EUR.",
            ),
            "language_code" => self.pick(
                "Use a two-letter code, or two joined by '/' (fr/de).",
                "Utilisez un code de deux lettres, ou deux séparés par '/' (fr/de).",
            ),
            "tax_value" => self.pick(
                "Use a rate between 0 and 100, or disabled, np or zw.",
                "Indiquez un taux entre 0 et 100, ou disabled, np ou zw.",
            ),
            "main_department_required" => self.pick(
                "An account needs a main department: make another department the main one instead.",
                "Un compte doit avoir un département principal : désignez plutôt un autre département principal.",
            ),
            "individual_last_name" => self.pick(
                "A private individual (company: false) needs a last name.",
                "Un particulier (company: false) doit avoir un nom de famille.",
            ),
            "payment_to_kind" => {
                self.pick("Use a number of days, other_date or off.", "Indiquez un nombre de jours, other_date ou off.")
            }
            "unknown_product" => {
                self.pick("No such product in this account.", "Ce produit n'existe pas dans ce compte.")
            }
            "package_component" => self.pick(
                "A package is made of other products that are not packages themselves.",
                "Un lot se compose d'autres produits qui ne sont pas eux-mêmes des lots.",
            ),
            "not_a_package" => self.pick(
                "Only a package (package: true) has components.",
                "Seul un lot (package: true) a des composants.",
            ),
            "positive_quantity" => {
                self.pick("The quantity must be greater than zero.", "La quantité doit être supérieure à zéro.")
            }
            "inconsistent_prices" => self.pick(
                "The net and gross prices do not agree with the tax rate; give only one of them.",
                "Les prix HT et TTC ne concordent pas avec le taux de taxe ; n'en donnez qu'un.",
            ),
            "ean_code" => self.pick(
                "Not a valid EAN/GTIN code (8, 12, 13 or 14 digits with a correct check digit).",
                "Code EAN/GTIN invalide (8, 12, 13 ou 14 chiffres avec une clé de contrôle correcte).",
            ),
            "id_or_code" => {
                self.pick("Give either an id or a code.", "Indiquez soit un identifiant, soit une référence.")
            }
            "issue_date_before_last" => self.pick(
                "The issue date is earlier than the last document of this series: numbers must follow dates.",
                "La date d'émission précède celle du dernier document de cette série : les numéros doivent suivre les dates.",
            ),
            "unknown_client" => self.pick("No such contact in this account.", "Ce contact n'existe pas dans ce compte."),
            "one_price" => self.pick(
                "Give one price per line: priceNet, priceGross, totalPriceNet or totalPriceGross.",
                "Indiquez un seul prix par ligne : priceNet, priceGross, totalPriceNet ou totalPriceGross.",
            ),
            "discount_range" => self.pick(
                "The discount must be between zero and the line's amount (or 0–100 %).",
                "La remise doit être comprise entre zéro et le montant de la ligne (ou 0–100 %).",
            ),
            "sell_date" => self.pick("Use YYYY-MM-DD, YYYY-MM or off.", "Utilisez AAAA-MM-JJ, AAAA-MM ou off."),
            "issue_first" => self.pick(
                "This document is still a draft: issue it first.",
                "Ce document est encore un brouillon : émettez-le d'abord.",
            ),
            "fixed_once_issued" => self.pick(
                "This cannot change once the document is issued (its number depends on it).",
                "Ceci ne peut plus changer une fois le document émis (son numéro en dépend).",
            ),
            "issue_date_in_future" => self.pick(
                "A document cannot be issued with a date in the future.",
                "Un document ne peut pas être émis à une date future.",
            ),
            "control_characters" => self.pick(
                "Control characters (such as NUL) are not allowed.",
                "Les caractères de contrôle (comme NUL) ne sont pas acceptés.",
            ),
            "unknown_price_list" => {
                self.pick("No such price list in this account.", "Ce tarif n'existe pas dans ce compte.")
            }
            "duplicate_product" => {
                self.pick("This product is already in the list.", "Ce produit figure déjà dans la liste.")
            }
            "unknown_category" => {
                self.pick("No such category in this account.", "Cette catégorie n'existe pas dans ce compte.")
            }
            "unknown_department" => {
                self.pick("No such department in this account.", "Ce département n'existe pas dans ce compte.")
            }
            "not_payable" => self.pick(
                "A payment can only be applied to an invoice, an advance or final invoice, a receipt or a proforma.",
                "Un paiement ne s'affecte qu'à une facture, une facture d'acompte ou de solde, un reçu ou une proforma.",
            ),
            "unknown_document" => {
                self.pick("No such document in this account.", "Ce document n'existe pas dans ce compte.")
            }
            "page_with_after" => self.pick(
                "A page that follows a document (after) starts there: page must be absent or 1.",
                "Une page qui suit un document (after) commence après lui : page doit être absente ou valoir 1.",
            ),
            "currency_mismatch" => self.pick(
                "This document is in another currency than the payment.",
                "Ce document est dans une autre devise que le paiement.",
            ),
            "invoice_id_or_ids" => {
                self.pick("Give either invoiceId or invoiceIds.", "Indiquez soit invoiceId, soit invoiceIds.")
            }
            "duplicate_invoice" => {
                self.pick("This invoice is already in the list.", "Cette facture figure déjà dans la liste.")
            }
            "positive_amount" => {
                self.pick("The amount must be greater than zero.", "Le montant doit être supérieur à zéro.")
            }
            "cents" => self.pick(
                "An amount has at most two decimals (cents).",
                "Un montant a au plus deux décimales (centimes).",
            ),
            "before_from" => self.pick(
                "The end of the period cannot come before its start.",
                "La fin de la période ne peut pas précéder son début.",
            ),
            "not_a_sha256" => self.pick(
                "Expected a SHA-256 hash: 64 hexadecimal characters.",
                "Une empreinte SHA-256 est attendue : 64 caractères hexadécimaux.",
            ),
            "before_from_sequence" => self.pick(
                "The last sequence cannot come before the first one.",
                "La dernière séquence ne peut pas précéder la première.",
            ),
            "has_payments" => self.pick(
                "Payments are applied to this document: its currency cannot change.",
                "Des paiements sont affectés à ce document : sa devise ne peut pas changer.",
            ),
            "not_a_member" => {
                self.pick("You are not a member of this account.", "Vous n'êtes pas membre de ce compte.")
            }
            "duplicate_kind" => self.pick("This kind is already listed.", "Ce type figure déjà dans la liste."),
            "numbering_pattern" => self.pick(
                "Invalid pattern: it needs nr (the counter), e.g. F/nr, Fyyyy.mm.nr or FA-yymm-nr-m.",
                "Format invalide : il doit contenir nr (le compteur), par ex. F/nr, Fyyyy.mm.nr ou FA-yymm-nr-m.",
            ),
            "correction_line_outside_credit_note" => self.pick(
                "CORRECTION lines belong to credit notes (kind CORRECTION).",
                "Les lignes CORRECTION sont réservées aux avoirs (kind CORRECTION).",
            ),
            "correction_line_only" => self.pick(
                "correctionBefore/correctionAfter are given on CORRECTION lines only.",
                "correctionBefore/correctionAfter ne s'indiquent que sur les lignes CORRECTION.",
            ),
            "correction_needs_amount" => self.pick(
                "Give the line's amount, or before/after lines with the same tax and total prices.",
                "Indiquez le montant de la ligne, ou des lignes avant/après de même taxe avec des prix totaux.",
            ),
            "price_sign" => self.pick(
                "Prices are not negative; a total is negative only with a negative quantity on a credit note.",
                "Les prix ne sont pas négatifs ; un total n'est négatif qu'avec une quantité négative sur un avoir.",
            ),
            "exchange_kind_unsupported" => self.pick(
                "Only an own rate (exchangeKind OWN with exchangeCurrencyRate) is supported.",
                "Seul un taux propre (exchangeKind OWN avec exchangeCurrencyRate) est pris en charge.",
            ),
            "oss_same_country" => self.pick(
                "An OSS sale is made to a buyer in another country than the seller's.",
                "Une vente OSS se fait à un acheteur d'un autre pays que le vendeur.",
            ),
            "incomplete_only" | "incomplete_invoice_only" => self.pick(
                "Only INCOMPLETE can be given at creation, for an invoice (kind VAT).",
                "Seul INCOMPLETE peut être indiqué à la création, pour une facture (kind VAT).",
            ),
            "advance_kind_only" => self.pick(
                "An advance mode and value are given for kind ADVANCE only.",
                "Le mode et la valeur d'acompte ne s'indiquent que pour kind ADVANCE.",
            ),
            "final_kind_only" => self.pick(
                "Advances to deduct are given for kind FINAL only.",
                "Les acomptes à déduire ne s'indiquent que pour kind FINAL.",
            ),
            "correction_kind_only" => {
                self.pick("totalCorrection is for kind CORRECTION only.", "totalCorrection est réservé à kind CORRECTION.")
            }
            "link_kind" => self.pick(
                "This document cannot be linked so: an advance or a final comes from an estimate, an order or a proforma; a credit note corrects an invoice.",
                "Ce lien est impossible : un acompte ou une facture de solde vient d'un devis, d'un bon de commande ou d'une proforma ; un avoir corrige une facture.",
            ),
            "source_not_issued" => self.pick(
                "This document must be issued (and not cancelled) first.",
                "Ce document doit d'abord être émis (et non annulé).",
            ),
            "source_cancelled" => self.pick("This document is cancelled.", "Ce document est annulé."),
            "advance_exceeds_estimate" => self.pick(
                "The advances would exceed the estimate's total.",
                "Les acomptes dépasseraient le total du devis.",
            ),
            "nothing_to_advance" => self.pick("The source document has no amount.", "Le document source n'a pas de montant."),
            "not_an_advance" => self.pick("This document is not an advance invoice.", "Ce document n'est pas une facture d'acompte."),
            "advance_already_deducted" => self.pick(
                "This advance is already deducted by a final invoice.",
                "Cet acompte est déjà déduit par une facture de solde.",
            ),
            "advance_of_other_estimate" => self.pick(
                "This advance belongs to another estimate.",
                "Cet acompte se rapporte à un autre devis.",
            ),
            "exceeds_invoice" => self.pick(
                "The credit notes of this invoice would exceed its total.",
                "Les avoirs de cette facture dépasseraient son total.",
            ),
            "creation_only" => self.pick(
                "This is given when the document is created only.",
                "Ceci ne s'indique qu'à la création du document.",
            ),
                                    "unknown_position" => self.pick(
                "No such position on this document.",
                "Cette position n'existe pas sur ce document.",
            ),
            "document_cancelled" => self.pick(
                "This document is cancelled: it takes no new payment.",
                "Ce document est annulé : il ne reçoit plus de paiement.",
            ),
            "kind_fixed" => self.pick(
                "The kind of this document cannot change (a final invoice, a linked document or an invoice to complete).",
                "Le type de ce document ne peut pas changer (facture de solde, document lié ou facture à compléter).",
            ),
            "incomplete_not_issued" => self.pick(
                "An invoice to complete is issued when its buyer validates it, not at creation.",
                "Une facture à compléter est émise quand son acheteur la valide, pas à sa création.",
            ),
            "estimate_has_final" => self.pick(
                "This estimate already has an issued final invoice; cancel it first.",
                "Ce devis a déjà une facture de solde émise ; annulez-la d'abord.",
            ),
            "final_negative" => self.pick(
                "The advances deducted exceed this final invoice's total.",
                "Les acomptes déduits dépassent le total de cette facture de solde.",
            ),
            "advance_deducted_by_final" => self.pick(
                "This advance is deducted by an issued final invoice; cancel the final invoice first.",
                "Cet acompte est déduit par une facture de solde émise ; annulez d'abord la facture de solde.",
            ),
            "has_linked_documents" => self.pick(
                "Other documents are linked to this one (advances, final invoice, credit notes).",
                "D'autres documents sont liés à celui-ci (acomptes, facture de solde, avoirs).",
            ),
            "below_advances" => self.pick(
                "The total would fall below the advances already invoiced on this document.",
                "Le total deviendrait inférieur aux acomptes déjà facturés sur ce document.",
            ),
            "pattern_in_use" => self.pick(
                "This pattern would repeat the numbers of another series; choose a distinct one.",
                "Ce format répéterait les numéros d'une autre série ; choisissez-en un distinct.",
            ),
            "draft_delete_instead" => self.pick(
                "A draft is not cancelled: delete it.",
                "Un brouillon ne s'annule pas : supprimez-le.",
            ),
            "not_cancellable" => self.pick(
                "This kind of document cannot be cancelled; correct it with another document.",
                "Ce type de document ne peut pas être annulé ; corrigez-le par un autre document.",
            ),
            "already_corrected" => self.pick(
                "This invoice already has credit notes: issue a further credit note instead of cancelling.",
                "Cette facture a déjà des avoirs : émettez un autre avoir plutôt que de l'annuler.",
            ),
            "not_issued" => self.pick(
                "Only an issued document has copies: issue it first.",
                "Seul un document émis a des exemplaires : émettez-le d'abord.",
            ),
            "unknown_channel" => self.pick(
                "Unknown channel: print, email or download.",
                "Canal inconnu : impression, e-mail ou téléchargement.",
            ),
            "unknown_event_code" => self.pick("Unknown journal event code.", "Code d'événement du journal inconnu."),
            _ => self.pick("Invalid value.", "Valeur invalide."),
        }
    }

    /// GraphQL-level problems (syntax, unknown fields, wrong types, limits).
    pub fn bad_request(self, detail: &str) -> String {
        self.pick(format!("Invalid GraphQL request: {detail}"), format!("Requête GraphQL invalide : {detail}"))
    }

    pub fn malformed_json(self) -> String {
        self.pick(
            "The request body is not valid JSON for a GraphQL request.",
            "Le corps de la requête n'est pas un JSON de requête GraphQL valide.",
        )
    }

    pub fn body_too_large(self, max: usize) -> String {
        self.pick(
            format!("The request body is larger than {max} bytes."),
            format!("Le corps de la requête dépasse {max} octets."),
        )
    }

    pub fn not_a_graphql_request(self) -> String {
        self.pick(
            "Not a GraphQL request: send a JSON object with a string `query` (and optionally `operationName`, `variables`, `extensions`).",
            "Ce n'est pas une requête GraphQL : envoyez un objet JSON avec une chaîne `query` (et au besoin `operationName`, `variables`, `extensions`).",
        )
    }

    pub fn batch_refused(self) -> String {
        self.pick(
            "Batched requests are not supported: send one operation per request.",
            "Les requêtes groupées ne sont pas acceptées : envoyez une opération par requête.",
        )
    }

    pub fn unsupported_media_type(self) -> String {
        self.pick(
            "Send GraphQL requests as `Content-Type: application/json`.",
            "Envoyez les requêtes GraphQL en `Content-Type: application/json`.",
        )
    }

    pub fn not_acceptable(self) -> String {
        self.pick(
            "Accept `application/graphql-response+json` or `application/json`.",
            "Acceptez `application/graphql-response+json` ou `application/json`.",
        )
    }

    pub fn method_not_allowed(self, allowed: &str) -> String {
        self.pick(format!("Use {allowed} on this address."), format!("Utilisez {allowed} sur cette adresse."))
    }

    pub fn once_per_request(self, fields: &str) -> String {
        self.pick(
            format!("A request may run only one of {fields}: send them in separate requests."),
            format!("Une requête ne peut exécuter qu'un seul de {fields} : envoyez-les dans des requêtes distinctes."),
        )
    }

    pub fn too_many_fields(self, max: usize) -> String {
        self.pick(
            format!("This request resolves more than {max} fields: ask for less (smaller pages, fewer aliases or lines)."),
            format!("Cette requête résout plus de {max} champs : demandez-en moins (pages plus petites, moins d'alias ou de lignes)."),
        )
    }

    pub fn mutation_over_get(self) -> String {
        self.pick(
            "Mutations are sent with POST; GET runs queries only.",
            "Les mutations s'envoient en POST ; GET n'exécute que des requêtes de lecture.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language(None), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr-FR,fr;q=0.9,en;q=0.8")), Lang::Fr);
        assert_eq!(Lang::from_accept_language(Some("de-DE, en;q=0.5, fr;q=0.7")), Lang::Fr);
        assert_eq!(Lang::from_accept_language(Some("de")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr;q=0, en")), Lang::En);
    }

    /// Every `FieldCode::Rule("…")` written in the domain or the API has its own message in
    /// both languages, not the generic "Invalid value."
    #[test]
    fn every_rule_has_its_own_message() {
        fn rules_in(dir: &std::path::Path, found: &mut std::collections::BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).expect("source directory").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    rules_in(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("source file");
                    for rest in text.split("Rule(\"").skip(1) {
                        let name = rest.split('"').next().unwrap_or_default();
                        // Rule names are snake_case; anything else is prose quoting the pattern.
                        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                            found.insert(name.to_owned());
                        }
                    }
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut rules = std::collections::BTreeSet::new();
        rules_in(&root.join("entity/src"), &mut rules);
        rules_in(&root.join("api/src"), &mut rules);
        assert!(rules.contains("currency_mismatch") && rules.len() > 20, "{rules:?}");
        for lang in [Lang::En, Lang::Fr] {
            let generic = lang.rule("");
            let missing: Vec<&String> = rules.iter().filter(|r| lang.rule(r) == generic).collect();
            assert!(missing.is_empty(), "{lang:?} has no message for {missing:?}");
        }
    }
}
