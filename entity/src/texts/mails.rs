//! The words of the closure e-mail (its layout is the job's: `jobs/src/closures.rs`).

use super::Lang;

/// The labels of the closure e-mail in one language.
pub struct ClosureMail {
    pub subject: &'static str,
    pub daily: &'static str,
    pub monthly: &'static str,
    pub yearly: &'static str,
    pub intro: &'static str,
    pub period: &'static str,
    pub documents: &'static str,
    pub turnover: &'static str,
    pub net: &'static str,
    pub tax: &'static str,
    pub gross: &'static str,
    pub by_rate: &'static str,
    pub rate: &'static str,
    pub perpetual: &'static str,
    pub sequences: &'static str,
    pub none: &'static str,
    pub block_hash: &'static str,
    pub file_hash: &'static str,
    pub signature: &'static str,
    pub keep: &'static str,
    pub outro: &'static str,
}

const FR: ClosureMail = ClosureMail {
    subject: "Clôture",
    daily: "journalière",
    monthly: "mensuelle",
    yearly: "annuelle",
    intro: "Voici la clôture certifiée de votre compte",
    period: "Période",
    documents: "Nombre de documents",
    turnover: "Chiffre d'affaires HT",
    net: "Total HT",
    tax: "Total TVA",
    gross: "Total TTC",
    by_rate: "Par taux de TVA",
    rate: "TVA",
    perpetual: "Grand total perpétuel TTC",
    sequences: "Séquences scellées",
    none: "aucune",
    block_hash: "Empreinte du bloc (chaîne des clôtures)",
    file_hash: "Empreinte SHA-256 du fichier CSV joint",
    signature: "Signature Ed25519 du bloc (clé publique",
    keep: "Conservez ces deux empreintes : `scelle verify --anchors` vérifie que les chaînes les contiennent toujours.",
    outro: "Le fichier CSV joint liste chaque document de la période.",
};

const EN: ClosureMail = ClosureMail {
    subject: "Closure",
    daily: "daily",
    monthly: "monthly",
    yearly: "yearly",
    intro: "Here is the certified closure of your account",
    period: "Period",
    documents: "Documents",
    turnover: "Turnover excl. tax",
    net: "Total excl. tax",
    tax: "Total VAT",
    gross: "Total incl. tax",
    by_rate: "By VAT rate",
    rate: "VAT",
    perpetual: "Perpetual grand total incl. tax",
    sequences: "Sealed sequences",
    none: "none",
    block_hash: "Block hash (closures chain)",
    file_hash: "SHA-256 of the attached CSV file",
    signature: "Ed25519 signature of the block (public key",
    keep: "Keep both hashes: `scelle verify --anchors` checks that the chains still hold them.",
    outro: "The attached CSV file lists every document of the period.",
};

pub fn closure(lang: Lang) -> &'static ClosureMail {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}
