//! The school's entry for its record of processing activities (Art. 30)
//! and the technical and organisational measures (Art. 32), both from the
//! actual settings.

use super::document::{Block, Ctx};

fn h(t: &str) -> Block {
    Block::Heading(t.to_string())
}
fn p(t: impl Into<String>) -> Block {
    Block::Para(t.into())
}
fn pair(k: &str, v: impl Into<String>) -> (String, String) {
    (k.to_string(), v.into())
}

pub fn record(ctx: &Ctx<'_>) -> Vec<Block> {
    let f = ctx.facts;
    vec![
        p("Diesen Eintrag übernimmt die Schule in ihr Verzeichnis von Verarbeitungstätigkeiten."),
        Block::Pairs(vec![
            pair("Bezeichnung der Verarbeitung", "Videokonferenzen mit Tafelrunde (Unterricht, Beratung, Konferenzen, Elternabende)"),
            pair("Verantwortlich", ctx.controller()),
            pair("Datenschutzbeauftragte/r", ctx.dpo()),
            pair("Betrieb (zentraler Dienst des Landes)", ctx.operator()),
            pair("Zwecke", "Durchführung von Unterricht und schulischen Besprechungen per Video; Verwaltung der Konten der Lehrkräfte; Beantwortung von Helpdesk-Anfragen"),
            pair("Rechtsgrundlage", ctx.legal_basis()),
            pair("Betroffene Personen", "Schülerinnen und Schüler, Erziehungsberechtigte, Lehrkräfte und weiteres Schulpersonal, Gäste"),
            pair("Datenkategorien", "Teilnehmende: selbst gewählter Anzeigename, Bild und Ton (nur bei eingeschalteten Geräten, nicht gespeichert), Bildschirmfreigabe, Chat (nur im Arbeitsspeicher), technische Verbindungsdaten (IP-Adresse; in Protokollen gekürzt). Lehrkräfte zusätzlich: dienstliche E-Mail-Adresse, Rolle, Schule, Passwort-Hash, Räume und deren Einstellungen, Anmeldesitzungen, Audit-Log-Einträge. Helpdesk: Anfragetext, freiwillig Kontaktadresse und Verbindungsdiagnose."),
            pair("Empfänger", format!("Teilnehmende derselben Konferenz; der Betrieb als technischer Dienstleister ({}). Keine Übermittlung an Dritte.", ctx.operator())),
            pair("Übermittlung in Drittländer", "keine"),
            pair("Ort der Verarbeitung", ctx.hosting()),
            pair("Löschfristen", ctx.retention_items().join(" ")),
            pair("Technische und organisatorische Maßnahmen", format!("siehe Anlage „Technische und organisatorische Maßnahmen“; Server-Protokolle {} Tage, Audit-Log {} Tage.", f.log_days, f.audit_days)),
        ]),
        Block::Signature(vec!["Ort, Datum".into(), "Schulleitung".into()]),
    ]
}

pub fn tom(ctx: &Ctx<'_>) -> Vec<Block> {
    let f = ctx.facts;
    let login = match &f.oidc {
        Some(label) => format!("Anmeldung mit Passwort (Argon2id-Hash) oder über den Identitätsdienst des Landes ({label}, OpenID Connect mit PKCE)."),
        None => "Anmeldung mit dienstlicher E-Mail-Adresse und Passwort (gespeichert nur als Argon2id-Hash); kein Identitätsdienst angebunden.".to_string(),
    };
    vec![
        p(format!(
            "Diese Beschreibung wird aus den aktuellen Einstellungen des Dienstes erzeugt (Stand {}). Ändert der Betrieb eine Einstellung, ändert sich dieser Text.",
            ctx.date
        )),
        h("1. Vertraulichkeit: Verschlüsselung"),
        p(ctx.encryption_sentence()),
        p(ctx.turn_sentence()),
        h("2. Keine Aufzeichnung, Datensparsamkeit"),
        Block::List(vec![
            "Der Dienst hat keine Aufzeichnungsfunktion. Chatnachrichten bestehen nur im Arbeitsspeicher und werden nie auf Datenträger geschrieben.".into(),
            "Gäste brauchen kein Konto; Kamera und Mikrofon sind beim Beitritt aus.".into(),
            "IP-Adressen werden in jeder Protokollzeile gekürzt (IPv4: letztes Byte 0, IPv6: nur das /48-Präfix).".into(),
            "Für Konten wird nur die dienstliche E-Mail-Adresse gespeichert.".into(),
        ]),
        h("3. Speicherdauer und Löschung"),
        Block::List(ctx.retention_items()),
        p("Ein Löschlauf setzt diese Fristen stündlich durch. Lehrkräfte können ihre Daten selbst herunterladen und ihr Konto löschen."),
        h("4. Zugangs- und Zugriffskontrolle"),
        Block::List(vec![
            login,
            "Rollen: Betrieb, Schul-Admin (nur die eigene Schule), Lehrkraft; jede Verwaltungsaktion wird im Audit-Log festgehalten.".into(),
            format!("Sitzungs-Cookies mit HttpOnly, SameSite und{} Secure; Schutz gegen CSRF; Begrenzung fehlgeschlagener Anmeldungen.", if f.tls { "" } else { " (ohne TLS: nicht)" }),
            "Räume können einen Warteraum und ein Raumpasswort haben; Lehrkräfte moderieren.".into(),
        ]),
        h("5. Keine Dritten"),
        p("Seiten und Programme kommen ausschließlich vom eigenen Server; eine strenge Content-Security-Policy (default-src 'self') verhindert das Laden von fremden Servern (keine CDNs, Schriften, Tracker oder fremden STUN-Server)."),
        h("6. Standort und Betrieb"),
        Block::Pairs(vec![
            pair("Betrieb", ctx.operator()),
            pair("Standort der Server", ctx.hosting()),
            pair("Adresse des Dienstes", if f.public_url.is_empty() { "—".to_string() } else { f.public_url.clone() }),
        ]),
    ]
}
