//! A document as headings, paragraphs, lists and label–value rows: built
//! once from the texts, rendered to HTML and PDF alike.

use super::facts::Facts;
use super::kinds::DocKind;
use super::template::Template;
use crate::schools::School;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    Para(String),
    List(Vec<String>),
    /// Label and value, e.g. "Verantwortlich" – "Schule am See, Kiel".
    Pairs(Vec<(String, String)>),
    /// Lines to sign on (place/date, signature).
    Signature(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub kind: DocKind,
    pub title: String,
    /// The school the document is for: "Schule am See, Kiel (Dienststelle 1111111)".
    pub school_line: String,
    pub blocks: Vec<Block>,
    /// "Erstellt am … von Tafelrunde aus den Einstellungen des Betriebs."
    pub footer: String,
}

impl Doc {
    /// Every word of the document, for tests and search.
    pub fn plain_text(&self) -> String {
        let mut out = vec![self.title.clone(), self.school_line.clone()];
        for b in &self.blocks {
            match b {
                Block::Heading(t) | Block::Para(t) => out.push(t.clone()),
                Block::List(items) | Block::Signature(items) => out.extend(items.iter().cloned()),
                Block::Pairs(rows) => {
                    for (k, v) in rows {
                        out.push(format!("{k}: {v}"));
                    }
                }
            }
        }
        out.push(self.footer.clone());
        out.join("\n")
    }
}

/// What a text is written from.
pub struct Ctx<'a> {
    pub school: &'a School,
    pub template: &'a Template,
    pub facts: &'a Facts,
    /// Today, as "28.11.2026".
    pub date: String,
}

/// Shown where the operator has not filled in a value yet.
pub const MISSING: &str = "[noch nicht eingetragen – bitte beim Betrieb nachfragen]";

impl Ctx<'_> {
    /// "Schule am See, Kiel"
    pub fn school(&self) -> String {
        format!("{}, {}", self.school.name, self.school.town)
    }

    pub fn controller(&self) -> String {
        or_missing(&self.template.controller).replace("{schule}", &self.school())
    }

    pub fn operator(&self) -> String {
        or_missing(&self.template.operator)
    }

    pub fn dpo(&self) -> String {
        or_missing(&self.template.data_protection_officer)
    }

    pub fn legal_basis(&self) -> String {
        or_missing(&self.template.legal_basis)
    }

    pub fn hosting(&self) -> String {
        or_missing(&self.template.hosting_location)
    }

    pub fn authority(&self) -> String {
        or_missing(&self.template.supervisory_authority)
    }

    pub fn turn_sentence(&self) -> String {
        turn_sentence(self.facts)
    }

    pub fn encryption_sentence(&self) -> String {
        encryption_sentence(self.facts)
    }

    pub fn retention_items(&self) -> Vec<String> {
        retention_items(self.facts)
    }

    pub fn block_controller(&self) -> Block {
        Block::Pairs(vec![
            ("Verantwortlich".into(), self.controller()),
            ("Datenschutzbeauftragte/r".into(), self.dpo()),
            ("Betrieb des Dienstes".into(), self.operator()),
            ("Standort der Server".into(), self.hosting()),
        ])
    }
}

/// The sentence on TURN relays.
pub fn turn_sentence(f: &Facts) -> String {
    if f.turn_hosts.is_empty() {
        "Es ist kein TURN-Relay-Server eingerichtet; Verbindungen laufen direkt zum Videoserver."
            .into()
    } else {
        format!(
            "Wo eine direkte Verbindung nicht möglich ist, laufen die verschlüsselten Medienpakete über den TURN-Relay-Server des Betriebs ({}); auch er kann sie nicht entschlüsseln und speichert sie nicht.",
            f.turn_hosts.join(", ")
        )
    }
}

/// The sentence on transport encryption.
pub fn encryption_sentence(f: &Facts) -> String {
    let tls = if f.tls {
        "Webseiten, Anmeldung und Signalisierung laufen über HTTPS bzw. WSS (TLS)."
    } else {
        "ACHTUNG: Der Dienst ist derzeit ohne TLS (http://) erreichbar; das ist nur für Tests zulässig und muss vor dem Einsatz an Schulen geändert werden."
    };
    format!("{tls} Bild und Ton werden mit DTLS-SRTP verschlüsselt übertragen. Der Videoserver leitet sie an die anderen Teilnehmenden derselben Konferenz weiter; er zeichnet nichts auf.")
}

/// The cookies' legal basis, said once before their list.
pub const COOKIE_BASIS: &str = "Die Seiten setzen nur technisch notwendige Cookies, keine zur Auswertung oder Werbung. Rechtsgrundlage für das Speichern im Browser ist § 25 Abs. 2 Nr. 2 TDDDG (unbedingt erforderlich für den Dienst, den Sie aufrufen; eine Einwilligung ist dafür nicht nötig).";

/// The device cookie that every visitor gets, guests included (see
/// `crate::device`): what it holds, what it is for, how long it lives.
pub const DEVICE_COOKIE: &str = "tafelrunde_device (alle Besucherinnen und Besucher, auch Gäste ohne Konto): eine Zufallskennung ohne Bezug zu Ihrer Person. Zweck: Ein Raum erkennt daran den Browser wieder, den eine Lehrkraft aus der Konferenz entfernt hat, und lässt ihn nur über den Warteraum wieder herein. Das Cookie gilt, bis Sie den Browser schließen; der Server hält die Kennung im Arbeitsspeicher des Raums, solange die Konferenz läuft. Wer in einen Raum eingelassen wurde, wird zusätzlich als Prüfsumme (SHA-256) dieser Kennung zwei Stunden lang in der Datenbank vermerkt, damit Schülerinnen und Schüler nach einem Neustart des Servers ohne erneuten Warteraum in ihre Stunde zurückkehren; der Vermerk endet früher, wenn man den Raum selbst verlässt, entfernt wird oder die Konferenz endet.";

/// Every cookie of the service, one list item each: the device cookie, and
/// for people with an account the ones of the login.
pub fn cookie_items(f: &Facts) -> Vec<String> {
    let mut items = vec![
        DEVICE_COOKIE.to_string(),
        format!("tafelrunde_session (nur nach der Anmeldung mit einem Konto): hält die Anmeldung, bis Sie sich abmelden, höchstens {} Stunden. Der Server speichert nur einen Hash davon.", f.session_hours),
        "tafelrunde_known_device (nur nach einer Anmeldung mit Passwort): eine Zufallskennung mit Prüfsumme, die diesen Browser als schon einmal bei Ihrem Konto angemeldet ausweist. Zweck: Fehlversuche Fremder an Ihrem Konto sperren Sie in Ihrem eigenen Browser nicht aus. Das Cookie gilt ein halbes Jahr und wird nur an die Anmeldung gesendet; der Server speichert dazu nichts.".into(),
    ];
    if f.oidc.is_some() {
        items.push("tafelrunde_oidc (nur während einer Anmeldung über den Identitätsdienst, höchstens 10 Minuten): bindet die Anmeldung an den Browser, in dem sie begonnen hat, damit niemand anderes sie abschließen kann.".into());
    }
    items
}

/// The retention periods, one list item each.
pub fn retention_items(f: &Facts) -> Vec<String> {
    vec![
        "Bild, Ton, Bildschirmfreigaben und Chatnachrichten: werden nicht gespeichert; sie bestehen nur während der Konferenz im Arbeitsspeicher des Servers.".into(),
        format!("Server-Protokolle (mit gekürzten IP-Adressen): {} Tage.", f.log_days),
        format!("Anmeldesitzungen: höchstens {} Stunden.", f.session_hours),
        format!("Protokoll der Verwaltungsaktionen (Audit-Log): {} Tage.", f.audit_days),
        format!("Anfragen an den Helpdesk: {} Tage nach der letzten Bearbeitung.", f.helpdesk_days),
        format!("Deaktivierte Konten von Lehrkräften: {} Tage nach der Deaktivierung, dann werden sie mit ihren Räumen gelöscht.", f.account_days),
    ]
}

pub fn or_missing(v: &str) -> String {
    if v.trim().is_empty() {
        MISSING.to_string()
    } else {
        v.trim().to_string()
    }
}

/// Builds one document for a school.
pub fn build(kind: DocKind, ctx: &Ctx<'_>) -> Doc {
    let blocks = match kind {
        DocKind::InfoPupils => super::texts_info::pupils(ctx),
        DocKind::InfoChildren => super::texts_info::children(ctx),
        DocKind::InfoParents => super::texts_info::parents(ctx),
        DocKind::InfoTeachers => super::texts_info::teachers(ctx),
        DocKind::UsagePupils => super::texts_policy::usage_pupils(ctx),
        DocKind::InstructionTeachers => super::texts_policy::instruction_teachers(ctx),
        DocKind::Record => super::texts_records::record(ctx),
        DocKind::Tom => super::texts_records::tom(ctx),
    };
    Doc {
        kind,
        title: kind.title().to_string(),
        school_line: format!("{} (Dienststelle {})", ctx.school(), ctx.school.id),
        blocks,
        footer: format!(
            "Stand: {}. Erstellt von Tafelrunde aus den Schuldaten und den aktuellen Einstellungen des Betriebs.",
            ctx.date
        ),
    }
}

/// Today's date in German notation (UTC).
pub fn today() -> String {
    date_of(crate::storage::now())
}

/// Unix seconds → "28.11.2026" (civil-from-days, proleptic Gregorian).
pub fn date_of(unix: i64) -> String {
    let (y, m, d) = civil(unix.div_euclid(86_400));
    format!("{d:02}.{m:02}.{y}")
}

/// Days since 1970-01-01 → (year, month, day).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::date_of(0), "01.01.1970");
        assert_eq!(super::date_of(1_795_824_000), "28.11.2026");
        assert_eq!(super::date_of(951_782_400), "29.02.2000");
    }
}
