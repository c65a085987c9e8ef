//! The generator's randomness: a ChaCha8 stream per purpose and the few
//! distributions the model needs, written out here so that the same seed
//! gives the same numbers on every platform and with every version of the
//! dependencies.
//!
//! - The PRNG is `rand_chacha::ChaCha8Rng` (ChaCha with 8 rounds, whose
//!   output is fixed by the algorithm and value-stable across releases). Its
//!   256-bit key is the user's seed (8 bytes, little-endian) followed by a
//!   fixed tag naming this algorithm's version, [`KEY_TAG`]; every commune,
//!   round and cercle reads its own stream (the ChaCha nonce), so a
//!   commune's data depends only on the seed and the commune, not on how
//!   many other communes are generated.
//! - Distributions use integer arithmetic and the basic IEEE-754 operations
//!   (`+ - * /`, rounding), which are exact and identical everywhere; no
//!   `ln`, `exp` or `cos` from the platform's maths library, whose last bits
//!   differ between platforms. Normal deviates are Irwin–Hall sums of four
//!   uniforms (bounded at ±3.46, which suits the model), and [`exp`] is a
//!   series evaluated with basic operations only.
//!
//! This module must not depend on the rest of the generator or on the core.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// Bytes 8.. of the ChaCha key: the algorithm version. Change it (and the
/// golden test) whenever the generator's output changes on purpose.
pub(crate) const KEY_TAG: &[u8; 24] = b"capacity-data/synth/v1\0\0";

/// A ChaCha8 stream.
pub(crate) struct Rng(ChaCha8Rng);

impl Rng {
    /// Stream `stream` of seed `seed`.
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        let mut key = [0u8; 32];
        let (head, tail) = key.split_at_mut(8);
        head.copy_from_slice(&seed.to_le_bytes());
        tail.copy_from_slice(KEY_TAG);
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(stream);
        Self(rng)
    }

    /// 64 random bits.
    pub(crate) fn bits(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform integer in `0..n` (`0` when `n` is 0), by multiply-high:
    /// one draw, bias below `n / 2^64`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.bits()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform integer in `lo..=hi` (`lo` when `hi < lo`).
    pub(crate) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo).saturating_add(1))
    }

    /// A uniform float in `[0, 1)` with 53 random bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.bits() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A standard normal deviate, approximately: the Irwin–Hall sum of four
    /// uniforms, centred and scaled to unit variance.
    pub(crate) fn normal(&mut self) -> f64 {
        let sum = self.unit() + self.unit() + self.unit() + self.unit();
        (sum - 2.0) * SQRT_3
    }

    /// A normal deviate with mean `mean` and standard deviation `sd`.
    pub(crate) fn gauss(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// One element of a non-empty slice, uniformly (`None` when empty).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len() as u64);
        items.get(usize::try_from(i).unwrap_or(0))
    }
}

/// √3, so that four uniforms have unit variance once scaled.
const SQRT_3: f64 = 1.732_050_807_568_877_2;

/// `e^x`, for `|x| < 700`, with basic IEEE operations only (so identical on
/// every platform): `x = k·ln 2 + r` with `|r| ≤ ln 2 / 2`, a Taylor series
/// for `e^r`, and `2^k` built from its bits.
pub(crate) fn exp(x: f64) -> f64 {
    let x = x.clamp(-700.0, 700.0);
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = x - k * std::f64::consts::LN_2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..=16 {
        term = term * r / f64::from(i);
        sum += term;
    }
    // k is within ±1010, so k + 1023 is a valid biased exponent.
    let biased = (k as i64 + 1023).clamp(1, 2046) as u64;
    sum * f64::from_bits(biased << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_accurate() {
        for (x, want) in [
            (0.0, 1.0),
            (1.0, std::f64::consts::E),
            (-1.0, 1.0 / std::f64::consts::E),
            (std::f64::consts::LN_10, 10.0),
            (10.0, 22_026.465_794_806_718),
        ] {
            let got = exp(x);
            assert!(
                (got - want).abs() <= want * 1e-14,
                "exp({x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let draw = |seed, stream| {
            let mut r = Rng::new(seed, stream);
            [r.bits(), r.bits(), r.bits()]
        };
        assert_eq!(draw(42, 7), draw(42, 7));
        assert_ne!(draw(42, 7), draw(42, 8));
        assert_ne!(draw(42, 7), draw(43, 7));
    }

    #[test]
    fn the_first_draws_of_seed_42_are_pinned() {
        // ChaCha8 is value-stable: these change only if the key layout
        // (and so `KEY_TAG`) changes.
        let mut r = Rng::new(42, 0);
        let got = [r.bits(), r.bits(), r.below(1000), r.unit().to_bits()];
        assert_eq!(
            got,
            [
                18_223_086_427_526_913_664,
                5_617_507_389_242_819_808,
                459,
                4_606_101_875_927_675_292
            ]
        );
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut r = Rng::new(1, 0);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / f64::from(n);
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / f64::from(n);
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::new(3, 0);
        assert_eq!(r.below(0), 0);
        assert!((0..1000).all(|_| r.below(5) < 5));
        assert!((0..1000).all(|_| (3..=6).contains(&r.between(3, 6))));
    }
}
