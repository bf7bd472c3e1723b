//! The documents a school gets, with their address names and titles.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
pub enum DocKind {
    InfoPupils,
    InfoChildren,
    InfoParents,
    InfoTeachers,
    UsagePupils,
    InstructionTeachers,
    Record,
    Tom,
}

impl DocKind {
    pub const ALL: [DocKind; 8] = [
        Self::InfoPupils,
        Self::InfoChildren,
        Self::InfoParents,
        Self::InfoTeachers,
        Self::UsagePupils,
        Self::InstructionTeachers,
        Self::Record,
        Self::Tom,
    ];

    /// The name in addresses (`/api/schools/{id}/documents/{slug}/pdf`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::InfoPupils => "info-schueler",
            Self::InfoChildren => "info-kinder",
            Self::InfoParents => "info-eltern",
            Self::InfoTeachers => "info-lehrkraefte",
            Self::UsagePupils => "nutzungsordnung",
            Self::InstructionTeachers => "dienstanweisung",
            Self::Record => "verarbeitungsverzeichnis",
            Self::Tom => "tom",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::InfoPupils => "Datenschutzinformation für Schülerinnen und Schüler",
            Self::InfoChildren => "Datenschutz einfach erklärt – für Kinder",
            Self::InfoParents => "Datenschutzinformation für Eltern und Erziehungsberechtigte",
            Self::InfoTeachers => "Datenschutzinformation für Lehrkräfte",
            Self::UsagePupils => "Nutzungsordnung für Schülerinnen und Schüler",
            Self::InstructionTeachers => {
                "Dienstanweisung für Lehrkräfte zur Nutzung von Tafelrunde"
            }
            Self::Record => "Eintrag im Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO)",
            Self::Tom => "Technische und organisatorische Maßnahmen (Art. 32 DSGVO)",
        }
    }

    /// Whether anyone invited to a room of the school may read it (the
    /// pre-join screen links these); the rest is for the school's staff.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Self::InfoPupils | Self::InfoChildren | Self::InfoParents | Self::UsagePupils
        )
    }
}
