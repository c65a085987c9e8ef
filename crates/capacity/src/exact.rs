//! Shortcuts for the few `Decimal` operations that scoring and gaps repeat
//! most, giving bit for bit (mantissa, scale and sign) what `rust_decimal`
//! gives, only faster in the common case.
//!
//! Weighted sums of level scores add 28-digit decimals of different scales,
//! which `rust_decimal` handles on its general path; and the priority
//! ranking compares impacts. Here:
//!
//! - [`add`] adds two non-negative decimals in 128-bit integers when the
//!   exact sum fits `Decimal`'s 96-bit mantissa at the larger scale, which
//!   is exactly what `rust_decimal` returns then (it aligns the smaller
//!   scale up and rounds only on overflow); zero operands follow its rules
//!   (`0 + x` is `x`, `x + 0` is `x`, scales included); anything else goes
//!   to `rust_decimal`'s `+`;
//! - [`cmp`] (with [`min`], [`max`] and [`clamp`]) compares non-negative
//!   decimals as integers aligned to the larger scale;
//! - [`Key18`] compares decimals of at most 18 decimal places as
//!   integers scaled to 18 places, which orders them as `Decimal::cmp`
//!   does, falling back to it otherwise.
//!
//! Both are checked against `rust_decimal` by property tests. Pure
//! arithmetic; no dependency on the rest of the crate.

use rust_decimal::Decimal;
use std::cmp::Ordering;

/// 10^0 … 10^28.
// Evaluated at compile time: an index out of bounds would not compile.
#[allow(clippy::indexing_slicing)]
const POWERS: [u128; 29] = {
    let mut p = [1u128; 29];
    let mut i = 1;
    while i < 29 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// The largest mantissa a `Decimal` holds, plus one.
const LIMIT: u128 = 1 << 96;

/// `a + b`, exactly as `rust_decimal` computes it.
pub(crate) fn add(a: Decimal, b: Decimal) -> Decimal {
    if a.is_zero() {
        return b;
    }
    if b.is_zero() {
        return a;
    }
    if a.is_sign_negative() || b.is_sign_negative() {
        return a + b;
    }
    let (sa, sb) = (a.scale(), b.scale());
    let (ma, mb) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
    let aligned = match sa.cmp(&sb) {
        Ordering::Equal => Some((ma, mb, sa)),
        Ordering::Greater => scale_up(mb, sa - sb).map(|mb| (ma, mb, sa)),
        Ordering::Less => scale_up(ma, sb - sa).map(|ma| (ma, mb, sb)),
    };
    match aligned {
        Some((x, y, scale)) => match x.checked_add(y) {
            Some(sum) if sum < LIMIT => Decimal::from_parts(
                sum as u32,
                (sum >> 32) as u32,
                (sum >> 64) as u32,
                false,
                scale,
            ),
            _ => a + b,
        },
        None => a + b,
    }
}

fn scale_up(m: u128, by: u32) -> Option<u128> {
    POWERS
        .get(by as usize)
        .and_then(|p| m.checked_mul(*p))
        .filter(|m| *m < LIMIT)
}

/// `a.cmp(&b)`: for non-negative decimals, their mantissas aligned to the
/// larger scale compared as integers.
pub(crate) fn cmp(a: Decimal, b: Decimal) -> Ordering {
    if a.is_sign_positive() && b.is_sign_positive() {
        let (sa, sb) = (a.scale(), b.scale());
        let (ma, mb) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
        let aligned = match sa.cmp(&sb) {
            Ordering::Equal => Some((ma, mb)),
            Ordering::Greater => widen(mb, sa - sb).map(|mb| (ma, mb)),
            Ordering::Less => widen(ma, sb - sa).map(|ma| (ma, mb)),
        };
        if let Some((x, y)) = aligned {
            return x.cmp(&y);
        }
    }
    a.cmp(&b)
}

/// `m` × 10^`by`, when it fits 128 bits.
fn widen(m: u128, by: u32) -> Option<u128> {
    POWERS.get(by as usize).and_then(|p| m.checked_mul(*p))
}

/// `value.clamp(lo, hi)` (as `Ord::clamp`: `lo` when below, `hi` when
/// above, else `value`).
pub(crate) fn clamp(value: Decimal, lo: Decimal, hi: Decimal) -> Decimal {
    if cmp(value, lo) == Ordering::Less {
        lo
    } else if cmp(value, hi) == Ordering::Greater {
        hi
    } else {
        value
    }
}

/// `a.min(b)` as `Decimal::min` returns it: `b` when `a > b`, else `a`.
pub(crate) fn min(a: Decimal, b: Decimal) -> Decimal {
    if cmp(a, b) == Ordering::Greater { b } else { a }
}

/// `a.max(b)` as `Decimal::max` returns it: `b` when `a < b`, else `a`.
pub(crate) fn max(a: Decimal, b: Decimal) -> Decimal {
    if cmp(a, b) == Ordering::Less { b } else { a }
}

/// The value × 10¹⁸ as an integer, when `d` has at most 18 decimal places.
fn at_18(d: Decimal) -> Option<i128> {
    let shift = 18u32.checked_sub(d.scale())?;
    let p = i128::try_from(*POWERS.get(shift as usize)?).ok()?;
    d.mantissa().checked_mul(p)
}

/// `a.cmp(&b)`, through integers when both have at most 18 decimal places
/// (impacts are rounded to 18).
#[cfg(test)]
fn cmp_at_18(a: Decimal, b: Decimal) -> Ordering {
    Key18::new(a).cmp(&Key18::new(b))
}

/// A decimal as a sort key computed once: ordered as `Decimal::cmp` orders
/// the decimals, through integers when both have at most 18 decimal places.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key18 {
    int: Option<i128>,
    value: Decimal,
}

impl Key18 {
    pub(crate) fn new(value: Decimal) -> Self {
        Self {
            int: at_18(value),
            value,
        }
    }

    /// The value × 10¹⁸, when it has at most 18 decimal places.
    pub(crate) fn integer(&self) -> Option<i128> {
        self.int
    }
}

impl Ord for Key18 {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.int, other.int) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => self.value.cmp(&other.value),
        }
    }
}

impl PartialOrd for Key18 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key18 {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key18 {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The exact representation: mantissa, scale and sign.
    fn bits(d: Decimal) -> [u8; 16] {
        d.serialize()
    }

    /// Non-negative decimals over the whole range of mantissas and scales,
    /// zeros of every scale included, with the shapes scoring meets
    /// (thirds, small integers) often.
    fn any_non_negative() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            (0u128..LIMIT, 0u32..=28)
                .prop_map(|(m, s)| Decimal::from_i128_with_scale(m as i128, s)),
            (0u64..1000, 0u32..=28).prop_map(|(m, s)| Decimal::new(m as i64, s)),
            (0u32..=28).prop_map(|s| Decimal::new(0, s)),
            (1u32..=100, 1u32..=9).prop_map(|(n, d)| Decimal::from(n) / Decimal::from(d)),
            (1u32..=100, 1u32..=9, 1u32..=7).prop_map(|(n, d, w)| Decimal::from(n)
                / Decimal::from(d)
                * Decimal::new(i64::from(w), 1)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn sums_are_those_of_rust_decimal(items in prop::collection::vec(any_non_negative(), 0..12)) {
            let mut slow = Decimal::ZERO;
            let mut fast = Decimal::ZERO;
            for d in items {
                // Sums that overflow `Decimal` are out of scoring's range.
                let Some(next) = slow.checked_add(d) else { return Ok(()) };
                slow = next;
                fast = add(fast, d);
                prop_assert_eq!(bits(fast), bits(slow), "{} {}", fast, slow);
            }
        }

        #[test]
        fn comparisons_are_those_of_rust_decimal(a in any_non_negative(), b in any_non_negative(), round in any::<bool>()) {
            let (a, b) = if round { (a.round_dp(18), b.round_dp(18)) } else { (a, b) };
            prop_assert_eq!(cmp_at_18(a, b), a.cmp(&b));
            prop_assert_eq!(cmp_at_18(-a, b), (-a).cmp(&b));
        }
    }

    fn any_decimal() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            any_non_negative(),
            any_non_negative().prop_map(|d| -d),
            Just(Decimal::new(0, 5).set_sign_negative_owned()),
        ]
    }

    trait NegativeZero {
        fn set_sign_negative_owned(self) -> Self;
    }

    impl NegativeZero for Decimal {
        fn set_sign_negative_owned(mut self) -> Self {
            self.set_sign_negative(true);
            self
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn orders_are_those_of_rust_decimal(a in any_decimal(), b in any_decimal(), c in any_decimal()) {
            prop_assert_eq!(cmp(a, b), a.cmp(&b));
            prop_assert_eq!(bits(min(a, b)), bits(a.min(b)));
            prop_assert_eq!(bits(max(a, b)), bits(a.max(b)));
            if b <= c {
                prop_assert_eq!(bits(clamp(a, b, c)), bits(a.clamp(b, c)));
            }
        }
    }

    #[test]
    fn zeros_follow_rust_decimal() {
        let zero_27 = Decimal::new(0, 27);
        let third = Decimal::ONE_HUNDRED / Decimal::from(3);
        for (a, b) in [
            (Decimal::ZERO, zero_27),
            (zero_27, Decimal::ZERO),
            (zero_27, third),
            (third, zero_27),
            (Decimal::ZERO, third),
            (third, third),
        ] {
            assert_eq!(bits(add(a, b)), bits(a + b), "{a} + {b}");
        }
    }
}
