//! Which video each subscriber receives, and in which simulcast layer.
//!
//! Pure policy, decided per subscriber from: which tiles are visible and how
//! large (the client's `layout`), who spoke recently, how many videos may be
//! forwarded at all (last-N), and the subscriber's estimated downlink. Layer
//! *switches* happen later, on keyframes (see `forward.rs`); this only sets
//! targets.

/// One simulcast layer as the allocator sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerView {
    /// Picture height in pixels.
    pub height: u32,
    /// Measured bit rate; 0 when not yet measured.
    pub bitrate: u64,
    /// Can be forwarded: packets arrive, or the SFU paused it at the
    /// publisher and can resume it.
    pub available: bool,
}

impl LayerView {
    /// The bit rate, or a guess from the height while nothing is measured
    /// (about 150 kbit/s at 180p, 500 at 360p, 1500 at 720p).
    pub fn cost(&self) -> u64 {
        if self.bitrate > 0 {
            return self.bitrate;
        }
        let h = self.height.max(90) as f64 / 180.0;
        (150_000.0 * h.powf(1.6)) as u64
    }
}

/// A subscribed video, as input to [`allocate`].
#[derive(Debug, Clone)]
pub struct VideoDemand {
    /// Higher is more important: screen shares, then recent speakers, then
    /// the rest in layout order.
    pub priority: u32,
    /// Tile height in device pixels; `None` when the tile is not visible.
    pub tile_height: Option<u32>,
    /// The track's layers from lowest to highest.
    pub layers: Vec<LayerView>,
    /// The layer currently forwarded, for hysteresis.
    pub current: Option<usize>,
    /// Forward at least the lowest layer even beyond the estimate (a
    /// screen share: the lesson's content). An estimate can be too low, and
    /// with nothing sent it never learns better; seeing nothing is worse
    /// than a congested picture.
    pub must_show: bool,
    /// Subject to the downlink estimate. Only a choice of layers is: a
    /// video with one layer is not held back by an estimate that has not
    /// grown yet.
    pub within_budget: bool,
}

/// Upgrades must fit into this share of the estimate; keeping a layer only
/// needs the whole estimate. The gap keeps layers from flapping.
const UPGRADE_HEADROOM: f64 = 0.85;

/// Target layer (or `None`: paused) for each demand, in input order.
pub fn allocate(
    demands: &[VideoDemand],
    max_videos: usize,
    budget: Option<u64>,
) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..demands.len())
        .filter(|i| demands[*i].tile_height.is_some())
        .collect();
    // Stable: equal priorities keep the layout order.
    order.sort_by(|a, b| demands[*b].priority.cmp(&demands[*a].priority));
    order.truncate(max_videos);

    let mut targets = vec![None; demands.len()];
    let mut spent = 0u64;
    // First everybody visible gets the lowest layer, most important first;
    // who does not fit is paused rather than degrading everyone.
    for &i in &order {
        let Some(lowest) = eligible(&demands[i].layers).next() else {
            targets[i] = Some(0);
            continue;
        };
        let cost = demands[i].layers[lowest].cost();
        let exempt = demands[i].must_show || !demands[i].within_budget;
        if exempt || budget.is_none_or(|b| spent + cost <= b) {
            targets[i] = Some(lowest);
            spent += cost;
        }
    }
    // Then upgrades towards the layer that fits each tile, in priority order.
    for &i in &order {
        let Some(mut layer) = targets[i] else {
            continue;
        };
        let d = &demands[i];
        let wanted = fitting_layer(d);
        while layer < wanted {
            let Some(next) = eligible(&d.layers).find(|l| *l > layer) else {
                break;
            };
            let extra = d.layers[next].cost().saturating_sub(d.layers[layer].cost());
            let keeping = d.current.is_some_and(|c| c >= next);
            let limit = budget.map(|b| {
                if keeping {
                    b
                } else {
                    (b as f64 * UPGRADE_HEADROOM) as u64
                }
            });
            if limit.is_some_and(|l| spent + extra > l) {
                break;
            }
            spent += extra;
            layer = next;
        }
        targets[i] = Some(layer);
    }
    targets
}

fn eligible(layers: &[LayerView]) -> impl Iterator<Item = usize> + '_ {
    let any = layers.iter().any(|l| l.available);
    (0..layers.len()).filter(move |i| !any || layers[*i].available)
}

/// The smallest available layer at least about as tall as the tile, else the
/// highest available one.
fn fitting_layer(d: &VideoDemand) -> usize {
    let tile = d.tile_height.unwrap_or(0) as u64;
    let mut best = 0;
    for i in eligible(&d.layers) {
        best = i;
        // A layer 20 % smaller than the tile still looks sharp enough.
        if d.layers[i].height as u64 * 5 >= tile * 4 {
            break;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simulcast() -> Vec<LayerView> {
        vec![
            LayerView {
                height: 180,
                bitrate: 150_000,
                available: true,
            },
            LayerView {
                height: 360,
                bitrate: 500_000,
                available: true,
            },
            LayerView {
                height: 720,
                bitrate: 1_500_000,
                available: true,
            },
        ]
    }

    fn video(tile: Option<u32>) -> VideoDemand {
        VideoDemand {
            priority: 0,
            tile_height: tile,
            layers: simulcast(),
            current: None,
            must_show: false,
            within_budget: true,
        }
    }

    #[test]
    fn the_layer_fits_the_tile() {
        let t = allocate(
            &[
                video(Some(120)),
                video(Some(300)),
                video(Some(700)),
                video(Some(2000)),
            ],
            20,
            None,
        );
        assert_eq!(t, vec![Some(0), Some(1), Some(2), Some(2)]);
    }

    #[test]
    fn invisible_tiles_are_paused() {
        assert_eq!(
            allocate(&[video(None), video(Some(300))], 20, None),
            vec![None, Some(1)]
        );
    }

    #[test]
    fn last_n_keeps_the_most_important() {
        let mut demands: Vec<_> = (0..25).map(|_| video(Some(150))).collect();
        demands[24].priority = 10; // the speaker, at the end of the grid
        let t = allocate(&demands, 20, None);
        assert_eq!(t.iter().filter(|t| t.is_some()).count(), 20);
        assert!(t[24].is_some(), "the recent speaker stays in view");
        assert!(
            t[19].is_none(),
            "the last of the grid in layout order is dropped"
        );
    }

    #[test]
    fn a_small_downlink_gets_lower_layers_and_the_screen_share_comes_first() {
        let mut screen = video(Some(700));
        screen.priority = 100;
        let t = allocate(
            &[video(Some(700)), screen, video(Some(700))],
            20,
            Some(2_200_000),
        );
        // 150k + 150k + 150k base, then the screen share goes to 1.5M first.
        assert_eq!(t[1], Some(2));
        assert!(t[0] < Some(2) && t[2] < Some(2), "{t:?}");
        let spent: u64 = t.iter().map(|l| simulcast()[l.unwrap()].cost()).sum();
        assert!(spent <= 2_200_000, "{spent}");
    }

    #[test]
    fn when_not_even_the_lowest_layers_fit_the_least_important_pause() {
        let mut a = video(Some(700));
        a.priority = 5;
        let t = allocate(&[video(Some(700)), a], 20, Some(200_000));
        assert_eq!(t, vec![None, Some(0)]);
    }

    #[test]
    fn a_screen_share_is_shown_even_beyond_a_low_estimate() {
        // One layer measured at 2.5 Mbit/s (a detailed screen) against an
        // estimate of 1 Mbit/s: the share still comes, the cameras wait.
        let screen = VideoDemand {
            priority: 1000,
            tile_height: Some(700),
            layers: vec![LayerView {
                height: 1080,
                bitrate: 2_500_000,
                available: true,
            }],
            current: None,
            must_show: true,
            within_budget: true,
        };
        let t = allocate(&[video(Some(300)), screen], 20, Some(1_000_000));
        assert_eq!(t, vec![None, Some(0)]);
        // Not visible: not forwarded, share or not.
        let mut hidden = video(None);
        hidden.must_show = true;
        assert_eq!(allocate(&[hidden], 20, Some(1_000_000)), vec![None]);
    }

    #[test]
    fn a_video_without_a_choice_of_layers_is_not_held_back_by_the_estimate() {
        // Ten cameras of one 360p layer at 500 kbit/s against the first
        // estimate of 2.5 Mbit/s: all are shown (last-N still applies); a
        // simulcast camera beside them is fitted into what is left.
        let single = VideoDemand {
            priority: 0,
            tile_height: Some(180),
            layers: vec![LayerView {
                height: 360,
                bitrate: 500_000,
                available: true,
            }],
            current: None,
            must_show: false,
            within_budget: false,
        };
        let mut demands = vec![single; 10];
        demands.push(video(Some(180)));
        let t = allocate(&demands, 20, Some(2_500_000));
        assert_eq!(t[..10], [Some(0); 10]);
        assert_eq!(
            t[10], None,
            "the estimate is spent: the simulcast camera waits"
        );
        let t = allocate(&demands, 8, Some(2_500_000));
        assert_eq!(t.iter().filter(|t| t.is_some()).count(), 8, "last-N holds");
    }

    #[test]
    fn upgrades_need_headroom_but_keeping_does_not() {
        // 1.6 Mbit/s: 1.5M for the top layer fits the whole estimate but not 85 % of it.
        let fresh = allocate(&[video(Some(720))], 20, Some(1_600_000));
        assert_eq!(fresh, vec![Some(1)], "no upgrade into the last 15 %");
        let mut kept = video(Some(720));
        kept.current = Some(2);
        assert_eq!(
            allocate(&[kept], 20, Some(1_600_000)),
            vec![Some(2)],
            "but a current layer is kept"
        );
    }

    #[test]
    fn missing_layers_are_skipped() {
        let mut d = video(Some(720));
        d.layers[2].available = false; // the publisher's uplink dropped the top layer
        assert_eq!(allocate(&[d], 20, None), vec![Some(1)]);
        // Before anything arrived, every layer is a candidate.
        let mut d = video(Some(720));
        d.layers.iter_mut().for_each(|l| l.available = false);
        assert_eq!(allocate(&[d], 20, None), vec![Some(2)]);
    }

    #[test]
    fn single_layer_tracks_are_forwarded_whole() {
        let d = VideoDemand {
            priority: 0,
            tile_height: Some(100),
            layers: vec![LayerView {
                height: 480,
                bitrate: 0,
                available: true,
            }],
            current: None,
            must_show: false,
            within_budget: true,
        };
        assert_eq!(allocate(&[d], 20, None), vec![Some(0)]);
    }
}
