//! The frozen-competition counterfactual (docs/equations.md §11): which
//! inputs it pins to 0 and which events it removes. The engine applies it
//! (`src/engine/compiled.rs`), because the pinned inputs keep their draws
//! (and their place in the input copula) before they are pinned.

use super::targets::Target;
use super::types::{Counterfactual, Event, Scenario};

impl Scenario {
    /// `freeze(S)`: this scenario with competition frozen at today's state
    /// (docs/equations.md §11), for reporting pops and fair values net of
    /// what changes in competition do not cause.
    ///
    /// The copy is this scenario with `counterfactual = "frozen_competition"`
    /// set, which the engine reads as:
    ///
    /// 1. `prices.ratio_drift = 0` and `prices.sigma_ratio = 0`: the
    ///    reference ratio stays at `rt_0`;
    /// 2. `prices.premium_sensitivity = 0`;
    /// 3. every segment's `switching = 0`: usage stays at `u_0`;
    /// 4. an event with an effect on `segments.<id>.brand_premium`,
    ///    `segments.<id>.switching`, `gap`, `price_pressure` or
    ///    `price_ratio` (a competition turning point) is removed with all its
    ///    effects: it never fires, and its inputs leave the per-path input
    ///    table; every other event is kept with `gap_sensitivity = 0`;
    /// 5. the per-path inputs are drawn exactly as this scenario draws them,
    ///    input copula included, and only then are the fields of 1-4 set to
    ///    0 on every path (also after an input-table lookup).
    ///
    /// So with the same seed and paths every other input keeps this
    /// scenario's draw on every path, and every process draw is shared
    /// (common random numbers) except those of the removed events. Under the
    /// copy the price pressure is 0, the reference ratio is `rt_0` and usage
    /// is `u_0` at every step, exactly.
    ///
    /// The scenario itself (its inputs, events and correlations) is left as
    /// written, so the copy reads, writes and compares like any scenario.
    /// Freezing a frozen scenario returns it unchanged.
    ///
    /// ```
    /// use aibubble::Scenario;
    /// let s = Scenario::preset("ft_bubble")?;
    /// let frozen = s.freeze_competition();
    /// assert_eq!(frozen.freeze_competition(), frozen);
    /// assert_ne!(frozen, s);
    /// assert_eq!(Scenario::from_toml_str(&frozen.to_toml())?, frozen);
    /// # Ok::<(), aibubble::Error>(())
    /// ```
    #[must_use]
    pub fn freeze_competition(&self) -> Scenario {
        let mut s = self.clone();
        s.counterfactual = Some(Counterfactual::FrozenCompetition);
        s
    }

    /// Whether the scenario is run with competition frozen
    /// ([`Scenario::freeze_competition`]).
    pub fn is_frozen_competition(&self) -> bool {
        self.counterfactual == Some(Counterfactual::FrozenCompetition)
    }

    /// Whether the frozen-competition counterfactual removes this event: it
    /// has an effect on a brand premium, a switching speed, the gap, the
    /// price pressure or the price ratio (docs/equations.md §11). An effect
    /// whose target does not parse counts as none (validation reports it).
    pub fn is_competition_event(&self, event: &Event) -> bool {
        event.effects.iter().any(|e| {
            matches!(
                Target::parse(&e.0, self),
                Ok(Target::BrandPremium(_)
                    | Target::Switching(_)
                    | Target::Gap
                    | Target::PricePressure
                    | Target::PriceRatio)
            )
        })
    }

    /// The field paths the frozen-competition counterfactual sets to 0 on
    /// every path: the ratio's drift and noise, the premium's sensitivity,
    /// every segment's switching speed and every kept event's gap
    /// sensitivity (docs/equations.md §11). Empty when the scenario is not
    /// frozen.
    pub fn frozen_fields(&self) -> Vec<String> {
        if !self.is_frozen_competition() {
            return Vec::new();
        }
        let mut out: Vec<String> = ["prices.ratio_drift", "prices.sigma_ratio", "prices.premium_sensitivity"]
            .map(String::from)
            .to_vec();
        out.extend(self.segments.iter().map(|s| format!("segments.{}.switching", s.id)));
        out.extend(
            self.events
                .iter()
                .filter(|e| !self.is_competition_event(e))
                .map(|e| format!("events.{}.gap_sensitivity", e.id)),
        );
        out
    }

    /// The ids of the events the frozen-competition counterfactual removes
    /// (empty when the scenario is not frozen).
    pub fn removed_events(&self) -> Vec<&str> {
        if !self.is_frozen_competition() {
            return Vec::new();
        }
        self.events
            .iter()
            .filter(|e| self.is_competition_event(e))
            .map(|e| e.id.as_str())
            .collect()
    }
}
