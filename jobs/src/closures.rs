//! Certification closures on a schedule: every tick makes the closures due (idempotent:
//! several schedulers ticking at once still create each closure once) and sends the
//! closure e-mails not sent yet, to the account's owners in the account's language.

use apalis::prelude::{BoxDynError, Data};
use apalis_cron::Tick;
use chrono::Utc;
use entity::closures::{PendingEmail, vat_rows};
use entity::texts::Lang;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rust_decimal::Decimal;
use sea_orm::DatabaseConnection;
use std::path::PathBuf;

/// Where closure e-mails go.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `smtp://host:port` (or `smtps://…`, with credentials); none: `.eml` files in `outbox`.
    pub smtp_url: Option<String>,
    pub outbox: PathBuf,
    /// The sender, e.g. `Scelle <noreply@example.com>`.
    pub from: String,
}

/// The transport, built once per worker.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>, Mailbox),
    Files(AsyncFileTransport<Tokio1Executor>, Mailbox),
}

impl Mailer {
    pub fn new(cfg: &MailConfig) -> anyhow::Result<Self> {
        let from: Mailbox = cfg.from.parse().map_err(|e| anyhow::anyhow!("invalid mail sender {:?}: {e}", cfg.from))?;
        Ok(match &cfg.smtp_url {
            Some(url) => Mailer::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("invalid SMTP URL: {e}"))?
                    .build(),
                from,
            ),
            None => {
                std::fs::create_dir_all(&cfg.outbox)?;
                Mailer::Files(AsyncFileTransport::new(&cfg.outbox), from)
            }
        })
    }

    fn from(&self) -> &Mailbox {
        match self {
            Mailer::Smtp(_, f) | Mailer::Files(_, f) => f,
        }
    }

    async fn send(&self, m: Message) -> Result<(), String> {
        match self {
            Mailer::Smtp(t, _) => t.send(m).await.map(drop).map_err(|e| e.to_string()),
            Mailer::Files(t, _) => t.send(m).await.map(drop).map_err(|e| e.to_string()),
        }
    }
}

/// How long a period's closure may be missing after the period ends, with closures made on
/// `schedule` (cron with seconds): twice the longest wait between two runs, an hour at
/// least. Verification reports a missing closure only past this.
pub fn grace(schedule: &str) -> chrono::Duration {
    use std::str::FromStr;
    let hour = chrono::Duration::hours(1);
    let Ok(s) = cron::Schedule::from_str(schedule) else { return hour };
    let ticks: Vec<_> = s.upcoming(Utc).take(64).collect();
    let longest = ticks.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(hour);
    std::cmp::max(hour, longest * 2)
}

/// One tick: closures due now, then the e-mails left to send.
pub async fn on_tick(_tick: Tick, db: Data<DatabaseConnection>, mailer: Data<Mailer>) -> Result<(), BoxDynError> {
    run(&db, &mailer, Utc::now()).await
}

pub async fn run(db: &DatabaseConnection, mailer: &Mailer, now: chrono::DateTime<Utc>) -> Result<(), BoxDynError> {
    let created = entity::closures::close_due(db, now).await?;
    if created > 0 {
        tracing::info!(created, "certification closures created");
    }
    send_pending(db, mailer).await?;
    Ok(())
}

/// Sends every closure e-mail not sent yet; a failure is recorded on the closure and
/// retried on the next tick.
pub async fn send_pending(db: &DatabaseConnection, mailer: &Mailer) -> Result<usize, BoxDynError> {
    let mut sent = 0;
    for p in entity::closures::pending_emails(db, 100).await? {
        if !entity::closures::claim_email(db, p.closure.id, Utc::now()).await? {
            continue; // another scheduler is sending it
        }
        let result = match message(&p, mailer.from()) {
            Ok(m) => mailer.send(m).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                entity::closures::mark_email_sent(db, p.closure.id, Utc::now()).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(closure = %p.closure.id, error = %e, "closure e-mail not sent");
                entity::closures::mark_email_failed(db, p.closure.id, &e).await?;
            }
        }
    }
    Ok(sent)
}

/// Money as the account's language writes it: `1234.50` or `1234,50`.
fn money(lang: Lang, d: Decimal) -> String {
    let text = entity::tax::round2(d).to_string();
    if lang.is_french() { text.replace('.', ",") } else { text }
}

/// The closure e-mail: text summary and the CSV attached (`text/csv`).
pub fn message(p: &PendingEmail, from: &Mailbox) -> Result<Message, String> {
    let c = &p.closure;
    let lang = Lang::of_document(&p.language);
    let w = entity::texts::mails::closure(lang);
    let kind = match c.frequency.as_str() {
        "daily" => w.daily,
        "monthly" => w.monthly,
        _ => w.yearly,
    };
    let period = if c.period_start == c.period_end {
        c.period_start.to_string()
    } else {
        format!("{} → {}", c.period_start, c.period_end)
    };
    let m = |d: Decimal| money(lang, d);
    let mut body = format!(
        "{intro} « {name} ».\n\n{lp} : {period} ({tz})\n{ld} : {count}\n{lt} : {turnover}\n{ln} : {net}\n{lx} : {tax}\n{lg} : {gross}\n",
        intro = w.intro,
        name = p.account_name,
        lp = w.period,
        tz = c.time_zone,
        ld = w.documents,
        count = c.document_count,
        lt = w.turnover,
        turnover = m(c.total_net.value()),
        ln = w.net,
        net = m(c.total_net.value()),
        lx = w.tax,
        tax = m(c.total_tax.value()),
        lg = w.gross,
        gross = m(c.total_gross.value()),
    );
    let rows = vat_rows(c);
    if !rows.is_empty() {
        body.push_str(&format!("\n{} :\n", w.by_rate));
        for r in rows {
            let t = r.total();
            body.push_str(&format!(
                "  {} {} : {} {} / {} {} / {} {}\n",
                w.rate,
                r.rate,
                w.net,
                m(t.net),
                w.tax,
                m(t.tax),
                w.gross,
                m(t.gross)
            ));
        }
    }
    let sequences = match (c.first_sequence, c.last_sequence) {
        (Some(a), Some(b)) => format!("{a} → {b}"),
        _ => w.none.to_owned(),
    };
    body.push_str(&format!(
        "\n{} : {}\n{} : {}\n\n{} : {}\n{} : {}\n",
        w.perpetual,
        m(c.perpetual_total.value()),
        w.sequences,
        sequences,
        w.block_hash,
        p.block_hash,
        w.file_hash,
        c.csv_sha256,
    ));
    if let (Some(signature), Some(key)) = (&c.signature, &c.signing_key) {
        body.push_str(&format!("{} {key}) : {signature}\n", w.signature));
    }
    body.push_str(&format!("{}\n\n{}\n", w.keep, w.outro));
    if !lang.is_french() {
        // English has no space before a colon nor French quotes.
        body = body.replace(" :", ":").replace("« ", "\"").replace(" »", "\"");
    }
    let mut builder =
        Message::builder().from(from.clone()).subject(format!("{} {kind} {period} — {}", w.subject, p.account_name));
    if p.recipients.is_empty() {
        return Err("the account has no owner to send the closure to".into());
    }
    for r in &p.recipients {
        builder = builder.to(r.parse::<Mailbox>().map_err(|e| format!("recipient {r:?}: {e}"))?);
    }
    let filename = format!("closure-{}-{}.csv", c.frequency, c.period_start);
    let csv_type = ContentType::parse("text/csv; charset=utf-8").map_err(|e| e.to_string())?;
    builder
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(body))
                .singlepart(Attachment::new(filename).body(c.csv.clone().into_bytes(), csv_type)),
        )
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_grace_follows_the_schedule() {
        assert_eq!(super::grace("0 */5 * * * *"), chrono::Duration::hours(1));
        assert_eq!(super::grace("0 0 2 * * *"), chrono::Duration::hours(48));
        assert_eq!(super::grace("not a schedule"), chrono::Duration::hours(1));
    }
}
