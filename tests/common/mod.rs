//! What the pinning tests share (`tests/v1_equivalence.rs`,
//! `tests/v2_pins.rs`): the hash their fingerprints are made with.

/// FNV-1a over the bits of `f64`s, one 64-bit word each: a fingerprint that
/// changes with any bit of any value (NaN payloads and signed zeros too).
pub struct Fnv(u64);

impl Fnv {
    /// The FNV-1a offset basis.
    pub fn new() -> Self {
        Fnv(0xCBF2_9CE4_8422_2325)
    }

    /// Mix in one value's bits.
    pub fn add(&mut self, x: f64) {
        self.0 ^= x.to_bits();
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01B3);
    }

    /// Mix in every value of a slice, in order.
    pub fn add_all<'a>(&mut self, xs: impl IntoIterator<Item = &'a f64>) {
        xs.into_iter().for_each(|x| self.add(*x));
    }

    /// The hash as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}
