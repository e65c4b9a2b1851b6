//! Presets: scenario files under `presets/`, embedded in the library.

use super::types::Scenario;
use crate::error::{Error, Result};

/// Name and TOML text of every preset.
const PRESETS: &[(&str, &str)] = &[
    ("baseline", include_str!("../../presets/baseline.toml")),
    ("moat_holds", include_str!("../../presets/moat_holds.toml")),
    ("open_parity", include_str!("../../presets/open_parity.toml")),
    ("big_tech_switch", include_str!("../../presets/big_tech_switch.toml")),
    ("open_killer_app", include_str!("../../presets/open_killer_app.toml")),
    ("ft_bubble", include_str!("../../presets/ft_bubble.toml")),
    ("hindcast_2024", include_str!("../../presets/hindcast_2024.toml")),
];

/// The names of the presets, in a fixed order.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}

/// The TOML text of a preset, as shipped.
pub fn text(name: &str) -> Result<&'static str> {
    PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            Error::argument(
                "preset",
                format!("unknown preset {name:?} (presets: {})", names().join(", ")),
            )
        })
}

impl Scenario {
    /// Load a preset by name (see [`names`] for the list).
    ///
    /// # Examples
    /// ```
    /// let s = aibubble::Scenario::preset("baseline")?;
    /// assert_eq!(s.name, "baseline");
    /// assert!(s.lab("openai").is_some());
    /// # Ok::<(), aibubble::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Argument`] naming the presets when `name` is not one of them.
    pub fn preset(name: &str) -> Result<Scenario> {
        let value = super::parse_value(text(name)?, super::Format::Toml)?;
        Scenario::build(value, &super::Origin::Preset(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_named_after_itself() {
        for name in names() {
            let s = Scenario::preset(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(s.name, name);
        }
        assert!(Scenario::preset("nope").is_err());
    }
}
