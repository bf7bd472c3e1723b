//! The one-service-per-school rule where the database is too slow to ask:
//! the signaling `join` checks a room name against the set of schools that
//! use BigBlueButton, kept in memory and reloaded after every change.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use sqlx::Row;
use tokio::sync::watch;

use crate::storage::Db;

/// The Dienststellennummern of the schools on BigBlueButton, and a
/// generation counter that running calls watch: a school switched while its
/// rooms are in use ends those calls at once.
#[derive(Debug, Clone)]
pub struct BbbSchools {
    set: Arc<RwLock<HashSet<String>>>,
    generation: Arc<watch::Sender<u64>>,
}

impl Default for BbbSchools {
    fn default() -> Self {
        Self {
            set: Arc::default(),
            generation: Arc::new(watch::channel(0).0),
        }
    }
}

impl BbbSchools {
    /// Wakes whenever the set may have changed; check the room again then.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// Reads the set again from the database.
    pub async fn reload(&self, db: &Db) -> Result<(), sqlx::Error> {
        let rows = sqlx::query("SELECT number FROM schools WHERE service = 'bigbluebutton'")
            .fetch_all(db.pool())
            .await?;
        let set: HashSet<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<String, _>("number").ok())
            .collect();
        *self.set.write().unwrap_or_else(|e| e.into_inner()) = set;
        self.generation.send_modify(|g| *g += 1);
        Ok(())
    }

    /// The school of a room name (`Dienststellennummer-…`) if it uses
    /// BigBlueButton. Rooms whose name starts otherwise belong to no school.
    pub fn school_of_room(&self, room: &str) -> Option<String> {
        let prefix = school_prefix(room)?;
        self.set
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(prefix)
            .then(|| prefix.to_string())
    }

    pub fn contains(&self, school: &str) -> bool {
        self.set
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(school)
    }
}

/// The digits before the first `-` of a room name, if there are 4 to 10.
pub fn school_prefix(room: &str) -> Option<&str> {
    let (prefix, _) = room.trim().split_once('-')?;
    ((4..=10).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit()))
        .then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_of_room_names() {
        assert_eq!(school_prefix("1234567-7b-MUE"), Some("1234567"));
        assert_eq!(school_prefix("mathe-7b"), None);
        assert_eq!(school_prefix("123-7b"), None);
        assert_eq!(school_prefix("1234567"), None);
        let set = BbbSchools::default();
        set.set.write().unwrap().insert("1234567".into());
        assert_eq!(
            set.school_of_room("1234567-7b-MUE").as_deref(),
            Some("1234567")
        );
        assert_eq!(set.school_of_room("7654321-7b-MUE"), None);
    }
}
