//! The limits of what people may type, in one place: lengths of free text,
//! the number of raters, and which workshop dates are acceptable. The
//! service checks them on every save; the pages use the same constants for
//! `maxlength` so the browser says it first. README.md documents them.

use crate::error::Problem;

pub use crate::view::limits::{NAME, RATERS, ROUND, TEXT};

/// `Some(problem)` when `text` has more than `max` characters.
pub fn too_long(text: &str, max: usize) -> Option<Problem> {
    (text.chars().count() > max).then(|| Problem::TooLong {
        max: u32::try_from(max).unwrap_or(u32::MAX),
    })
}

/// Today's date on the server, `YYYY-MM-DD` (UTC, which is Mali's time).
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Checks a workshop date: a real `YYYY-MM-DD` date, not after `today`.
pub fn workshop_date(date: &str, today: &str) -> Result<(), Problem> {
    if date.is_empty() {
        return Err(Problem::Required);
    }
    if !capacity::valid_date(date) {
        return Err(Problem::NotADate);
    }
    // Two valid dates compare as their strings do.
    if date > today {
        return Err(Problem::AfterToday {
            today: today.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let today = "2026-12-06";
        assert_eq!(workshop_date("2026-12-06", today), Ok(()));
        assert_eq!(workshop_date("2024-02-29", today), Ok(()));
        assert_eq!(workshop_date("", today), Err(Problem::Required));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "06/12/2026",
            "2026-1-01",
            "２０２６-01-01",
        ] {
            assert_eq!(workshop_date(bad, today), Err(Problem::NotADate), "{bad}");
        }
        assert_eq!(
            workshop_date("2031-01-01", today),
            Err(Problem::AfterToday {
                today: today.to_owned()
            })
        );
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert_eq!(too_long(&"é".repeat(TEXT), TEXT), None);
        assert!(too_long(&"é".repeat(TEXT + 1), TEXT).is_some());
    }

    #[test]
    fn the_form_and_the_store_hold_the_same_number_of_raters() {
        // The store refuses a thirteenth rater wherever it comes from (a
        // file, an import, a rater added later); the form says it first.
        assert_eq!(RATERS, capacity_store::MAX_RATERS);
    }

    #[test]
    fn today_is_a_date() {
        assert!(capacity::valid_date(&today()));
    }
}
