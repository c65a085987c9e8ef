//! Which assessments of a campaign count in comparisons and grants.
//!
//! Planners compare communes on one campaign at a time, and only on
//! rounds that are *eligible*: finalised, complete (not finalised as
//! provisional), dated inside the campaign's window and not after today,
//! and verified when the campaign requires an independent verification
//! (as performance-based grant systems do). Every other assessment of the
//! campaign is listed apart with its [`Ineligible`] reason, never ranked
//! silently. The rule lives here, once, for the web app, the command line
//! and the reports.

use serde::{Deserialize, Serialize};

/// What the rule looks at in one assessment of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundFacts<'a> {
    /// Finalised (locked) by its facilitator.
    pub finalised: bool,
    /// Finalised below the completeness required, with this reason.
    pub provisional: Option<&'a str>,
    /// The workshop date, `YYYY-MM-DD`.
    pub date: &'a str,
    /// Its verification is complete.
    pub verified: bool,
}

/// What the rule looks at in the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignRule<'a> {
    /// First day of the window, `YYYY-MM-DD`.
    pub starts: &'a str,
    /// Last day of the window, `YYYY-MM-DD`.
    pub ends: &'a str,
    /// An assessment counts only once verified.
    pub verification_required: bool,
    /// Today, `YYYY-MM-DD`.
    pub today: &'a str,
}

/// Why an assessment does not count, in the order the rule asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ineligible {
    /// Dated after today.
    Future,
    /// Dated outside the campaign's window.
    OutsideWindow,
    /// Still being entered (not finalised).
    InProgress,
    /// Finalised as provisional, with the facilitator's reason.
    Provisional(String),
    /// The campaign requires a verification, not complete yet.
    NotVerified,
}

/// `Ok` when the assessment counts, else the first reason it does not.
pub fn eligibility(round: &RoundFacts<'_>, campaign: &CampaignRule<'_>) -> Result<(), Ineligible> {
    if round.date > campaign.today {
        return Err(Ineligible::Future);
    }
    if round.date < campaign.starts || round.date > campaign.ends {
        return Err(Ineligible::OutsideWindow);
    }
    if !round.finalised {
        return Err(Ineligible::InProgress);
    }
    if let Some(reason) = round.provisional {
        return Err(Ineligible::Provisional(reason.to_owned()));
    }
    if campaign.verification_required && !round.verified {
        return Err(Ineligible::NotVerified);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: CampaignRule<'static> = CampaignRule {
        starts: "2025-01-01",
        ends: "2025-12-31",
        verification_required: true,
        today: "2025-06-01",
    };

    fn round(date: &'static str) -> RoundFacts<'static> {
        RoundFacts {
            finalised: true,
            provisional: None,
            date,
            verified: true,
        }
    }

    #[test]
    fn each_reason_in_turn() {
        let cases: [(RoundFacts<'static>, Result<(), Ineligible>); 7] = [
            (round("2025-03-01"), Ok(())),
            (round("2025-07-01"), Err(Ineligible::Future)),
            (round("2024-12-31"), Err(Ineligible::OutsideWindow)),
            (
                RoundFacts {
                    finalised: false,
                    ..round("2025-03-01")
                },
                Err(Ineligible::InProgress),
            ),
            (
                RoundFacts {
                    provisional: Some("raters absent"),
                    ..round("2025-03-01")
                },
                Err(Ineligible::Provisional("raters absent".into())),
            ),
            (
                RoundFacts {
                    verified: false,
                    ..round("2025-03-01")
                },
                Err(Ineligible::NotVerified),
            ),
            // In progress comes before "not verified".
            (
                RoundFacts {
                    finalised: false,
                    verified: false,
                    ..round("2025-03-01")
                },
                Err(Ineligible::InProgress),
            ),
        ];
        for (facts, expected) in cases {
            assert_eq!(eligibility(&facts, &RULE), expected, "{facts:?}");
        }
        let lenient = CampaignRule {
            verification_required: false,
            ..RULE
        };
        let unverified = RoundFacts {
            verified: false,
            ..round("2025-03-01")
        };
        assert_eq!(eligibility(&unverified, &lenient), Ok(()));
    }
}
