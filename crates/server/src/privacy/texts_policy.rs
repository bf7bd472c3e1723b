//! The usage policy for pupils (Nutzungsordnung) and the instruction for
//! teachers (Dienstanweisung).

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

pub fn usage_pupils(ctx: &Ctx<'_>) -> Vec<Block> {
    vec![
        p(format!(
            "Diese Nutzungsordnung gilt für alle Schülerinnen und Schüler der {}, die an Videokonferenzen mit Tafelrunde teilnehmen. Sie ist Teil der Schulordnung.",
            ctx.school()
        )),
        h("1. Teilnahme"),
        list(&[
            "Du nimmst nur an Konferenzen teil, zu denen dich eine Lehrkraft eingeladen hat. Den Link gibst du nicht weiter.",
            "Als Namen gibst du deinen Vornamen oder den mit der Lehrkraft vereinbarten Namen an.",
            "Die Lehrkraft leitet die Konferenz. Sie kann Teilnehmende stummschalten, aus dem Warteraum einlassen oder entfernen.",
        ]),
        h("2. Bild und Ton"),
        list(&[
            "Kamera und Mikrofon sind beim Beitritt aus. Du schaltest sie ein, wenn die Lehrkraft darum bittet und du einverstanden bist.",
            "Achte darauf, dass im Bild keine anderen Personen und nichts Privates zu sehen sind.",
            "Andere Personen im Raum hören nicht mit, ohne dass die Lehrkraft davon weiß.",
        ]),
        h("3. Verboten ist"),
        list(&[
            "Aufnahmen, Fotos oder Bildschirmfotos der Konferenz zu machen oder weiterzugeben;",
            "andere zu beleidigen, bloßzustellen oder zu stören;",
            "Inhalte zu zeigen oder zu schreiben, die gegen Gesetze oder die Schulordnung verstoßen.",
        ]),
        h("4. Datenschutz"),
        p("Die Konferenz wird nicht aufgezeichnet, der Chat wird nicht gespeichert. Was mit deinen Daten geschieht, steht in der Datenschutzinformation der Schule."),
        h("5. Verstöße"),
        p("Wer gegen diese Ordnung verstößt, kann von der Konferenz ausgeschlossen werden; es gelten die Maßnahmen des Schulgesetzes."),
        Block::Signature(vec![
            "Ort, Datum".into(),
            "Unterschrift der Schülerin oder des Schülers".into(),
            "Unterschrift der Erziehungsberechtigten (bei Minderjährigen)".into(),
        ]),
    ]
}

pub fn instruction_teachers(ctx: &Ctx<'_>) -> Vec<Block> {
    let f = ctx.facts;
    vec![
        p(format!(
            "Die Schulleitung der {} erlässt für die Nutzung von Tafelrunde durch Lehrkräfte die folgende Dienstanweisung.",
            ctx.school()
        )),
        h("1. Zweck"),
        p("Tafelrunde darf nur für dienstliche Zwecke genutzt werden: Unterricht, Beratung, Konferenzen, Elterngespräche und Elternabende."),
        h("2. Konto und Anmeldung"),
        list(&[
            "Das Konto ist persönlich. Das Passwort wird nicht weitergegeben und nicht für andere Dienste verwendet.",
            "Nach der Nutzung an fremden oder gemeinsam genutzten Geräten melden Sie sich ab.",
            "Besteht der Verdacht, dass jemand Ihr Passwort kennt, setzen Sie es zurück und informieren die Schul-Admins.",
        ]),
        h("3. Räume und Einladungen"),
        list(&[
            "Raumlinks geben Sie nur an die Teilnehmenden der jeweiligen Lerngruppe oder Besprechung.",
            "Für Gespräche mit vertraulichem Inhalt (z. B. Beratung, Zeugniskonferenz) nutzen Sie den Warteraum oder ein Raumpasswort und lassen nur Berechtigte ein.",
            "Sie sind Moderatorin bzw. Moderator: Sie achten auf die Einhaltung der Nutzungsordnung und entfernen Störende.",
        ]),
        h("4. Datenschutz in der Konferenz"),
        list(&[
            "Aufzeichnungen sind nicht möglich und dürfen auch nicht mit anderen Mitteln angefertigt werden.",
            "Niemand wird verpflichtet, die Kamera einzuschalten.",
            "Besondere Kategorien personenbezogener Daten (z. B. Gesundheit) werden nur besprochen, wenn es unvermeidbar ist und Unbefugte nicht mithören.",
            "Bei Bildschirmfreigaben zeigen Sie nur, was alle sehen dürfen (keine Notenlisten, E-Mails oder Schülerakten).",
        ]),
        h("5. Ihre Daten"),
        p(format!(
            "Welche Daten über Sie gespeichert werden, steht in der Datenschutzinformation für Lehrkräfte. Deaktivierte Konten werden nach {} Tagen gelöscht; unter „Mein Bereich“ können Sie Ihre Daten herunterladen und Ihr Konto löschen.",
            f.account_days
        )),
        h("6. Störungen und Vorfälle"),
        p("Technische Probleme melden Sie über das Helpdesk-Formular. Datenschutzvorfälle (z. B. ein weitergegebener Link mit Fremden in der Konferenz, eine heimliche Aufnahme) melden Sie unverzüglich der Schulleitung."),
        Block::Signature(vec![
            "Ort, Datum".into(),
            "Schulleitung".into(),
            "Zur Kenntnis genommen: Name, Unterschrift der Lehrkraft".into(),
        ]),
    ]
}
