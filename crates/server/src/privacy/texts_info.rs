//! The information under GDPR Art. 13: for pupils, in plain words for
//! children, for parents and for teachers.

use super::document::{Block, Ctx};

fn h(t: &str) -> Block {
    Block::Heading(t.to_string())
}
fn p(t: impl Into<String>) -> Block {
    Block::Para(t.into())
}
fn list(items: &[&str]) -> Block {
    Block::List(items.iter().map(|s| s.to_string()).collect())
}

/// What happens to a participant's data in a conference (pupils, parents, guests).
fn participant_data(ctx: &Ctx<'_>) -> Vec<Block> {
    vec![
        h("Welche Daten verarbeitet werden"),
        list(&[
            "der Anzeigename, den Sie beim Beitritt selbst wählen (ein Vorname oder ein Spitzname genügt);",
            "Bild und Ton, aber nur wenn Sie Kamera oder Mikrofon einschalten (beides ist beim Beitritt aus);",
            "eine Bildschirmfreigabe, wenn Sie eine starten;",
            "Chatnachrichten und Handzeichen während der Konferenz;",
            "technische Verbindungsdaten (IP-Adresse, Browser), die für die Verbindung nötig sind.",
        ]),
        p("Sie brauchen kein Konto. Es gibt keine Aufzeichnung: der Dienst hat keine Aufnahmefunktion, und Chatnachrichten werden nirgends gespeichert. Andere Teilnehmende könnten den Bildschirm abfotografieren; das ist nach der Nutzungsordnung verboten."),
        h("Cookie"),
        p(super::document::COOKIE_BASIS),
        list(&[super::document::DEVICE_COOKIE]),
        h("Wer die Daten erhält"),
        p(format!(
            "Bild, Ton und Chat sehen und hören nur die Teilnehmenden derselben Konferenz. Den Dienst betreibt für das Land: {}. Die Server stehen hier: {}. Es werden keine Daten an andere Stellen oder in Länder außerhalb der EU übermittelt; die Seiten laden nichts von fremden Servern.",
            ctx.operator(),
            ctx.hosting()
        )),
        p(ctx.encryption_sentence()),
        p(ctx.turn_sentence()),
        h("Wie lange die Daten gespeichert werden"),
        Block::List(ctx.retention_items()),
    ]
}

fn rights(ctx: &Ctx<'_>) -> Vec<Block> {
    vec![
        h("Ihre Rechte"),
        p("Sie haben das Recht auf Auskunft (Art. 15 DSGVO), Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung der Verarbeitung (Art. 18) und Widerspruch (Art. 21). Wenden Sie sich dazu an die Schule oder an die Datenschutzbeauftragte bzw. den Datenschutzbeauftragten."),
        p(format!(
            "Sie können sich bei der Aufsichtsbehörde beschweren: {}.",
            ctx.authority()
        )),
    ]
}

fn purpose_and_basis(ctx: &Ctx<'_>, who: &str) -> Vec<Block> {
    vec![
        h("Zweck und Rechtsgrundlage"),
        p(format!(
            "Die Schule nutzt Tafelrunde für Unterricht, Beratung, Konferenzen und Elternabende per Video. {who} Rechtsgrundlage ist: {}.",
            ctx.legal_basis()
        )),
    ]
}

pub fn pupils(ctx: &Ctx<'_>) -> Vec<Block> {
    let mut b = vec![
        p(format!(
            "Die {} nutzt das Videokonferenzsystem Tafelrunde. Hier steht, welche Daten dabei verarbeitet werden und welche Rechte Sie haben.",
            ctx.school()
        )),
        h("Wer verantwortlich ist"),
        ctx.block_controller(),
    ];
    b.extend(purpose_and_basis(
        ctx,
        "Die Teilnahme ist nur mit einem Link möglich, den die Lehrkraft weitergibt.",
    ));
    b.extend(participant_data(ctx));
    b.extend(rights(ctx));
    b
}

pub fn children(ctx: &Ctx<'_>) -> Vec<Block> {
    vec![
        p(format!(
            "Deine Schule, die {}, macht manchmal Unterricht per Video. Dafür gibt es Tafelrunde. Hier steht, was mit deinen Daten passiert.",
            ctx.school()
        )),
        h("Was Tafelrunde von dir weiß"),
        list(&[
            "Den Namen, den du beim Beitreten eintippst. Dein Vorname reicht. Du darfst auch einen Spitznamen nehmen.",
            "Dein Bild und deine Stimme – aber nur, wenn du Kamera oder Mikrofon einschaltest. Am Anfang ist beides aus.",
            "Was du in den Chat schreibst. Das sehen nur die anderen in deiner Konferenz.",
            "Dein Browser bekommt eine Zufallsnummer (ein Cookie namens tafelrunde_device). Sie verrät nicht, wer du bist. Sie sorgt nur dafür, dass jemand, den die Lehrkraft aus der Konferenz geschickt hat, nicht einfach wieder hereinkommt. Wenn du den Browser schließt, ist sie weg. Damit du nach einem Neustart des Servers nicht noch einmal im Warteraum warten musst, merkt sich der Server zwei Stunden lang eine Prüfsumme dieser Nummer für den Raum, in den du eingelassen wurdest.",
        ]),
        h("Was nicht passiert"),
        list(&[
            "Niemand nimmt die Konferenz auf. Tafelrunde kann das gar nicht.",
            "Der Chat wird nicht gespeichert. Nach der Konferenz ist er weg.",
            "Deine Daten werden nicht an Firmen weitergegeben und nicht für Werbung benutzt.",
        ]),
        h("Was du tun kannst"),
        list(&[
            "Du kannst Kamera und Mikrofon jederzeit ausschalten.",
            "Mach keine Fotos oder Aufnahmen von anderen. Das ist verboten.",
            "Wenn dir etwas komisch vorkommt, sag es deiner Lehrkraft oder deinen Eltern.",
            "Du darfst fragen, was über dich gespeichert ist. Deine Eltern können dir dabei helfen.",
        ]),
        h("Wer aufpasst"),
        p(format!(
            "Verantwortlich ist deine Schule: {}. Bei Fragen zum Datenschutz hilft: {}.",
            ctx.controller(),
            ctx.dpo()
        )),
    ]
}

pub fn parents(ctx: &Ctx<'_>) -> Vec<Block> {
    let mut b = vec![
        p(format!(
            "Die {} nutzt das Videokonferenzsystem Tafelrunde für Unterricht und für Gespräche mit Eltern, z. B. Elternabende und Beratungen. Diese Information gilt für Ihr Kind und für Sie, wenn Sie selbst teilnehmen.",
            ctx.school()
        )),
        h("Wer verantwortlich ist"),
        ctx.block_controller(),
    ];
    b.extend(purpose_and_basis(
        ctx,
        "Für Ihr Kind ist eine Teilnahme mit Bild nicht verpflichtend; Kamera und Mikrofon sind beim Beitritt aus.",
    ));
    b.extend(participant_data(ctx));
    b.push(p("Bitte besprechen Sie die Nutzungsordnung der Schule mit Ihrem Kind. Achten Sie darauf, dass im Bild keine Dinge zu sehen sind, die Sie nicht zeigen möchten."));
    b.extend(rights(ctx));
    b
}

pub fn teachers(ctx: &Ctx<'_>) -> Vec<Block> {
    let f = ctx.facts;
    let login = match &f.oidc {
        Some(label) => format!("Die Anmeldung ist mit Passwort oder über den Identitätsdienst des Landes ({label}) möglich; von diesem wird nur eine Kennung übernommen."),
        None => "Die Anmeldung erfolgt mit der dienstlichen E-Mail-Adresse und einem Passwort, das nur als Argon2-Hash gespeichert wird.".to_string(),
    };
    let mut b = vec![
        p(format!(
            "Die {} stellt Ihnen für den dienstlichen Gebrauch ein Konto bei Tafelrunde bereit. Diese Information beschreibt, welche Daten über Sie verarbeitet werden.",
            ctx.school()
        )),
        h("Wer verantwortlich ist"),
        ctx.block_controller(),
    ];
    b.extend(purpose_and_basis(
        ctx,
        "Das Konto dient der Durchführung von Unterricht und dienstlichen Besprechungen.",
    ));
    b.push(h("Welche Daten über Sie gespeichert werden"));
    b.push(Block::List(vec![
        "dienstliche E-Mail-Adresse, Rolle (Lehrkraft oder Schul-Admin), Schule;".into(),
        "Zeitpunkte von Anlage, Aktivierung und ggf. Deaktivierung des Kontos;".into(),
        "Ihre Räume (Name aus Lerngruppe und Kürzel) mit deren Einstellungen (Warteraum, Raumpasswort als Hash);".into(),
        format!("Anmeldesitzungen (nur als Hash, höchstens {} Stunden);", f.session_hours),
        format!("Einträge im Audit-Log, wenn Sie Verwaltungsaktionen ausführen oder ein Admin Ihr Konto ändert ({} Tage);", f.audit_days),
        "in Konferenzen dieselben Daten wie bei allen Teilnehmenden (Anzeigename, Bild und Ton nur bei eingeschalteter Kamera bzw. eingeschaltetem Mikrofon, Chat nur im Arbeitsspeicher).".into(),
    ]));
    b.push(p(login));
    if f.smtp {
        b.push(p("E-Mails (Aktivierungs- und Passwortlinks) versendet der Dienst über den Mailserver des Betriebs."));
    }
    b.push(h("Auskunft und Löschung"));
    b.push(p("Unter „Mein Bereich“ können Sie jederzeit alle über Sie gespeicherten Daten als Datei herunterladen und Ihr Konto selbst löschen. Ihre Schul-Admins und der Betrieb können Konten ebenfalls löschen."));
    b.extend(participant_data(ctx).into_iter().skip(3));
    b.extend(rights(ctx));
    b
}
