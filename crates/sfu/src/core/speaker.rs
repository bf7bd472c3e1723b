//! Dominant-speaker detection from the audio-level header extension
//! (RFC 6464), robust against coughs and background noise.
//!
//! Each participant's level is compared with its own noise floor, so a noisy
//! room does not make someone "speak". Speech must last: activity is a
//! smoothed share of speech frames, a candidate must lead for a hold time,
//! and after a change the speaker stays for a minimum time (no flapping).

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// A frame counts as speech this many dB above the speaker's noise floor…
const SPEECH_ABOVE_FLOOR_DB: f32 = 12.0;
/// …and only if it is louder than this (dBov; 127 is silence).
const SPEECH_MAX_DBOV: u8 = 70;
/// Smoothing of activity per frame (about 1 s at 50 frames/s).
const ACTIVITY_ALPHA: f32 = 0.04;
/// A candidate must lead by this much activity…
const LEAD_MARGIN: f32 = 0.15;
/// …for this long…
const HOLD: Duration = Duration::from_millis(600);
/// …and the current speaker keeps the floor at least this long.
const MIN_TENURE: Duration = Duration::from_millis(1500);
/// Activity below this means silence.
const SILENT: f32 = 0.1;

#[derive(Debug, Clone)]
struct Voice {
    floor_db: f32,
    activity: f32,
    last_frame: Instant,
}

/// Detects the dominant speaker of one room. `K` identifies a speaker.
#[derive(Debug)]
pub struct SpeakerDetector<K> {
    voices: HashMap<K, Voice>,
    dominant: Option<K>,
    since: Option<Instant>,
    challenger: Option<(K, Instant)>,
}

impl<K: Copy + Eq + Hash> Default for SpeakerDetector<K> {
    fn default() -> Self {
        Self {
            voices: HashMap::new(),
            dominant: None,
            since: None,
            challenger: None,
        }
    }
}

impl<K: Copy + Eq + Hash + Ord> SpeakerDetector<K> {
    /// One audio frame's level: 0 is the loudest, 127 silence (dBov, negated).
    pub fn level(&mut self, who: K, dbov: u8, now: Instant) {
        let loudness = 127.0 - dbov.min(127) as f32;
        let voice = self.voices.entry(who).or_insert(Voice {
            floor_db: loudness,
            activity: 0.0,
            last_frame: now,
        });
        // The floor follows quiet frames quickly and loud ones slowly: the
        // pauses between words pull it down, steady noise lifts it within
        // seconds.
        let rate = if loudness < voice.floor_db { 0.2 } else { 0.01 };
        voice.floor_db += (loudness - voice.floor_db) * rate;
        let speech = dbov <= SPEECH_MAX_DBOV && loudness > voice.floor_db + SPEECH_ABOVE_FLOOR_DB;
        voice.activity += ((speech as u8 as f32) - voice.activity) * ACTIVITY_ALPHA;
        voice.last_frame = now;
    }

    /// Forget a speaker (left, or muted).
    pub fn remove(&mut self, who: K) {
        self.voices.remove(&who);
        if self.dominant == Some(who) {
            self.dominant = None;
        }
    }

    /// Re-evaluate; returns the new dominant speaker when it changed.
    pub fn tick(&mut self, now: Instant) -> Option<Option<K>> {
        // A voice that sends nothing (DTX, muted) fades out.
        for voice in self.voices.values_mut() {
            if now.saturating_duration_since(voice.last_frame) > Duration::from_millis(300) {
                voice.activity *= 0.8;
            }
        }
        let activity = |k: &K| self.voices.get(k).map_or(0.0, |v| v.activity);
        let loudest = self
            .voices
            .iter()
            .filter(|(_, v)| v.activity > SILENT)
            .max_by(|(ka, a), (kb, b)| a.activity.total_cmp(&b.activity).then(kb.cmp(ka)))
            .map(|(k, _)| *k);
        let current = self.dominant.filter(|d| activity(d) > SILENT / 2.0);
        let tenure_over = self
            .since
            .is_none_or(|s| now.saturating_duration_since(s) >= MIN_TENURE);

        let candidate = match (loudest, current) {
            (Some(l), Some(c)) if l != c && activity(&l) > activity(&c) + LEAD_MARGIN => Some(l),
            (Some(l), None) => Some(l),
            _ => None,
        };
        let Some(candidate) = candidate else {
            self.challenger = None;
            // The speaker stopped and nobody took over: the floor is free after the tenure.
            if current.is_none() && self.dominant.is_some() && tenure_over {
                return self.change(None, now);
            }
            return None;
        };
        let first_seen = match self.challenger {
            Some((k, at)) if k == candidate => at,
            _ => {
                self.challenger = Some((candidate, now));
                now
            }
        };
        let held = now.saturating_duration_since(first_seen) >= HOLD;
        if held && (tenure_over || self.dominant.is_none()) {
            self.challenger = None;
            return self.change(Some(candidate), now);
        }
        None
    }

    fn change(&mut self, to: Option<K>, now: Instant) -> Option<Option<K>> {
        if self.dominant == to {
            return None;
        }
        self.dominant = to;
        self.since = Some(now);
        Some(to)
    }

    /// The current dominant speaker.
    pub fn dominant(&self) -> Option<K> {
        self.dominant
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed 20 ms frames for `ms`; `levels` gives each speaker's signal.
    /// `SPEECH` stands for real speech: syllables of varying loudness with
    /// short pauses between words.
    fn run(
        d: &mut SpeakerDetector<u8>,
        t: &mut Instant,
        ms: u64,
        levels: &[(u8, u8)],
    ) -> Vec<Option<u8>> {
        const SYLLABLES: [u8; 16] = [
            40, 32, 36, 45, 30, 38, 50, 127, 127, 34, 42, 31, 39, 48, 127, 127,
        ];
        let mut changes = Vec::new();
        for frame in 0..ms / 20 {
            *t += Duration::from_millis(20);
            for (who, dbov) in levels {
                let level = if *dbov == SPEECH {
                    SYLLABLES[(frame as usize + *who as usize * 5) % 16]
                } else {
                    *dbov
                };
                d.level(*who, level, *t);
            }
            if let Some(change) = d.tick(*t) {
                changes.push(change);
            }
        }
        changes
    }

    const SILENCE: u8 = 127;
    const NOISE: u8 = 85; // a fan or a busy classroom: loud, but steady
    const SPEECH: u8 = 35;

    #[test]
    fn a_speaker_is_found_and_kept() {
        let (mut d, mut t) = (SpeakerDetector::default(), Instant::now());
        let changes = run(
            &mut d,
            &mut t,
            3000,
            &[(1, SPEECH), (2, SILENCE), (3, SILENCE)],
        );
        assert_eq!(changes, vec![Some(1)]);
    }

    #[test]
    fn steady_background_noise_is_not_speech() {
        let (mut d, mut t) = (SpeakerDetector::default(), Instant::now());
        let changes = run(&mut d, &mut t, 5000, &[(1, NOISE), (2, SILENCE)]);
        assert!(changes.is_empty(), "{changes:?}");
    }

    #[test]
    fn a_cough_does_not_take_the_floor() {
        let (mut d, mut t) = (SpeakerDetector::default(), Instant::now());
        run(&mut d, &mut t, 3000, &[(1, SPEECH), (2, SILENCE)]);
        // Speaker 2 coughs for 200 ms while 1 goes on talking.
        let changes = run(&mut d, &mut t, 200, &[(1, SPEECH), (2, 20)]);
        let more = run(&mut d, &mut t, 2000, &[(1, SPEECH), (2, SILENCE)]);
        assert!(
            changes.is_empty() && more.is_empty(),
            "{changes:?} {more:?}"
        );
        assert_eq!(d.dominant(), Some(1));
    }

    #[test]
    fn turn_taking_changes_the_speaker_once() {
        let (mut d, mut t) = (SpeakerDetector::default(), Instant::now());
        run(&mut d, &mut t, 3000, &[(1, SPEECH), (2, SILENCE)]);
        let changes = run(&mut d, &mut t, 4000, &[(1, SILENCE), (2, SPEECH)]);
        assert_eq!(changes, vec![Some(2)], "exactly one change, no flapping");
    }

    #[test]
    fn two_people_talking_at_once_do_not_flap() {
        let (mut d, mut t) = (SpeakerDetector::default(), Instant::now());
        run(&mut d, &mut t, 3000, &[(1, SPEECH), (2, SILENCE)]);
        let changes = run(&mut d, &mut t, 6000, &[(1, SPEECH), (2, SPEECH)]);
        assert!(
            changes.is_empty(),
            "the floor stays with the first speaker: {changes:?}"
        );
    }

    #[test]
    fn silence_frees_the_floor_and_leaving_forgets() {
        let (mut d, mut t) = (SpeakerDetector::default(), Instant::now());
        run(&mut d, &mut t, 3000, &[(1, SPEECH)]);
        // DTX: a silent speaker sends no frames at all.
        let changes = run(&mut d, &mut t, 4000, &[]);
        assert_eq!(changes, vec![None]);
        run(&mut d, &mut t, 3000, &[(2, SPEECH)]);
        assert_eq!(d.dominant(), Some(2));
        d.remove(2);
        assert_eq!(d.dominant(), None);
    }
}
