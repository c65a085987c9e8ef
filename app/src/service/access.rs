//! Who may do what, where: the one authorisation check of the app.
//!
//! Every operation of the service layer starts by asking [`Actor::may`]
//! (or [`Actor::check`], which answers the error) with an [`Action`] and
//! the [`Place`] it touches; lists keep only what [`Actor::may`] allows to
//! see. Pages, server functions, downloads and plain routes never decide
//! this themselves: they pass the [`Actor`] of the request down.
//!
//! The rules (roles in [`crate::view::account::AccessRole`]):
//! - an administrator may do everything, everywhere, except verify: only
//!   the verifier assigned to a commune verifies its assessment;
//! - only an administrator keeps the commune register
//!   ([`Action::ManageCommunes`]);
//! - a planner or an observer sees the communes of their scope, their
//!   assessments and the comparisons of that territory; a planner also
//!   reads the audit trail there;
//! - a verifier sees the assessments of their scope and their trail, and
//!   verifies only the assessments of the communes they are assigned to
//!   (per campaign) — a verifier role alone verifies nothing;
//! - a planner (or an administrator) assigns verifiers to the communes of
//!   their scope, and sees the verifications there while in progress;
//!   only an administrator reopens a completed verification;
//! - a facilitator of a commune creates its assessments, enters the
//!   ratings of raters who have no account, records consensus, finalises,
//!   unlocks with a reason, edits the plan and reads the trail;
//! - a rater sees the assessments of their commune and enters only the
//!   ratings of the rater linked to their account;
//! - a planner also declares and changes the campaigns of communes in
//!   their scope (a campaign may only hold communes the planner covers);
//! - a visitor who is not logged in sees what the administrators made
//!   public ([`PublicPages`]; default: the rubric browser), and is asked
//!   to log in (401) for the rest; a logged-in person refused an action
//!   gets 403.

use crate::error::AppError;
use crate::view::account::{AccessRole, Me, PublicPages, Scope};

/// Where an object lies: region, cercle and commune. An empty field is
/// "any": a place with only a region is the whole region (a comparison
/// over it), an empty place is the whole country.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// Region name.
    pub region: String,
    /// Cercle name.
    pub cercle: String,
    /// Commune id.
    pub commune: String,
}

impl Place {
    /// The place of a stored assessment.
    pub fn of(header: &capacity_store::AssessmentHeader) -> Place {
        Place {
            region: header.region.clone(),
            cercle: header.cercle.clone(),
            commune: header.commune_id.clone(),
        }
    }

    /// The place of a commune.
    pub fn of_commune(commune: &capacity::Commune) -> Place {
        Place {
            region: commune.region.clone(),
            cercle: commune.cercle.clone(),
            commune: commune.id.clone(),
        }
    }

    /// An area: a region, a cercle of it, or the country (empty names).
    pub fn area(region: Option<&str>, cercle: Option<&str>) -> Place {
        Place {
            region: region.unwrap_or_default().to_owned(),
            cercle: cercle.unwrap_or_default().to_owned(),
            commune: String::new(),
        }
    }
}

impl Scope {
    /// True when everything in `place` lies in this scope.
    pub fn covers(&self, place: &Place) -> bool {
        match self {
            Scope::National => true,
            Scope::Region(r) => !place.region.is_empty() && place.region == *r,
            Scope::Cercle(c) => !place.cercle.is_empty() && place.cercle == *c,
            Scope::Commune(id) => !place.commune.is_empty() && place.commune == *id,
        }
    }
}

/// What someone wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read the rubrics.
    BrowseRubrics,
    /// See a commune and its list of assessments.
    ViewCommune,
    /// See an assessment: overview, results, plan, report, downloads.
    ViewAssessment,
    /// Start an assessment of a commune.
    CreateAssessment,
    /// Enter the ratings of one rater; `linked` is the account linked to
    /// that rater, if any.
    EnterRatings {
        /// Account linked to the rater.
        linked: Option<i64>,
    },
    /// Record the consensus (agreed levels, justifications, comments).
    RecordConsensus,
    /// Finalise (lock) an assessment.
    Finalise,
    /// Unlock a finalised assessment (with a reason).
    Unlock,
    /// Accept, drop or re-cost actions of the plan.
    EditPlan,
    /// Name raters of an assessment and link them to accounts.
    ManageRaters,
    /// Read the audit trail of an assessment.
    ViewAudit,
    /// Compare the communes of an area.
    Compare,
    /// Create and change accounts, roles and settings.
    ManageAccounts,
    /// Add, edit, deactivate, merge and import communes (the register).
    ManageCommunes,
    /// Assign the verifier of a commune in a campaign.
    AssignVerifier,
    /// Verify an assessment (confirm or change levels, complete);
    /// `assigned` is the verifier assigned to its commune in its campaign.
    Verify {
        /// Account assigned, if any.
        assigned: Option<i64>,
    },
    /// Follow a verification in progress (its page, its draft report).
    FollowVerification {
        /// Account assigned, if any.
        assigned: Option<i64>,
    },
    /// Reopen a completed verification (with a reason).
    ReopenVerification,
    /// Declare or change a campaign holding communes at this place.
    ManageCampaigns,
}

/// The person behind a request (or nobody) and where the request came
/// from: what the service checks and what the audit trail records.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The account logged in, `None` for a visitor.
    pub me: Option<Me>,
    /// What visitors may see (the administrators' setting; read for
    /// visitors only: people logged in see what their roles allow).
    pub public: PublicPages,
    /// The request id (also in the server's log line).
    pub request_id: String,
    /// The client's address.
    pub address: String,
}

impl Actor {
    /// The server itself (start-up tasks, commands of the binary).
    pub fn system(what: &str) -> Actor {
        Actor {
            me: Some(Me {
                id: 0,
                name: "system".to_owned(),
                display_name: "system".to_owned(),
                grants: vec![crate::view::account::Grant {
                    id: 0,
                    role: AccessRole::Admin,
                    scope: Scope::National,
                }],
                demo: false,
                version: 0,
            }),
            public: PublicPages::default(),
            request_id: what.to_owned(),
            address: String::new(),
        }
    }

    /// The account id, `None` for a visitor.
    pub fn account(&self) -> Option<i64> {
        self.me.as_ref().map(|m| m.id).filter(|id| *id > 0)
    }

    /// Who, for the audit trail of the store.
    pub fn audit(&self) -> capacity_store::Audit {
        capacity_store::Audit {
            actor_id: self.account(),
            actor: self
                .me
                .as_ref()
                .map_or_else(|| "anonymous".to_owned(), |m| m.name.clone()),
            request_id: self.request_id.clone(),
            address: self.address.clone(),
        }
    }

    /// True when the actor holds `role` over a scope covering `place`.
    fn holds(&self, role: AccessRole, place: &Place) -> bool {
        self.me.as_ref().is_some_and(|me| {
            me.grants
                .iter()
                .any(|g| g.role == role && g.scope.covers(place))
        })
    }

    /// True when the actor is an administrator.
    pub fn is_admin(&self) -> bool {
        self.holds(AccessRole::Admin, &Place::default())
    }

    /// May the actor do `action` at `place`?
    pub fn may(&self, action: Action, place: &Place) -> bool {
        use AccessRole::*;
        let Some(me) = &self.me else {
            return match action {
                Action::BrowseRubrics => self.public.rubrics,
                Action::ViewCommune | Action::ViewAssessment => self.public.results,
                Action::Compare => self.public.compare,
                _ => false,
            };
        };
        // Independence: only the verifier assigned verifies, whatever
        // other roles anyone holds (an administrator included).
        if let Action::Verify { assigned } = action {
            return assigned == Some(me.id) && self.holds(AccessRole::Verifier, place);
        }
        if self.is_admin() {
            return true;
        }
        let any = |roles: &[AccessRole]| roles.iter().any(|r| self.holds(*r, place));
        match action {
            Action::BrowseRubrics => true,
            Action::ViewCommune | Action::ViewAssessment => {
                self.public.results || any(&[Planner, Observer, Verifier, Facilitator, Rater])
            }
            Action::CreateAssessment
            | Action::RecordConsensus
            | Action::Finalise
            | Action::Unlock
            | Action::EditPlan
            | Action::ManageRaters => any(&[Facilitator]),
            Action::EnterRatings { linked } => match linked {
                Some(account) => account == me.id,
                None => any(&[Facilitator]),
            },
            Action::ViewAudit => any(&[Planner, Verifier, Facilitator]),
            Action::Compare => any(&[Planner, Observer]),
            Action::ManageAccounts | Action::ManageCommunes | Action::ReopenVerification => false,
            Action::ManageCampaigns => any(&[Planner]),
            Action::AssignVerifier => any(&[Planner]),
            // Decided above, for everyone.
            Action::Verify { .. } => false,
            Action::FollowVerification { assigned } => {
                any(&[Planner]) || (assigned == Some(me.id) && any(&[Verifier]))
            }
        }
    }

    /// [`Actor::may`] as an answer: `Ok`, or 401 for a visitor and 403 for
    /// someone logged in.
    pub fn check(&self, action: Action, place: &Place) -> Result<(), AppError> {
        if self.may(action, place) {
            return Ok(());
        }
        Err(match self.me {
            None => AppError::Unauthenticated("log in to see or do this".to_owned()),
            Some(_) => AppError::Forbidden(format!(
                "your roles do not allow {action:?} in {}",
                describe(place)
            )),
        })
    }

    /// Lists of communes and assessments: a logged-in person sees what
    /// their roles allow (the list is filtered with [`Actor::may`]); a
    /// visitor is asked to log in (401) unless results are public.
    pub fn may_list(&self) -> Result<(), AppError> {
        if self.me.is_some() || self.public.results {
            Ok(())
        } else {
            Err(AppError::Unauthenticated(
                "log in to see the communes and their assessments".to_owned(),
            ))
        }
    }

    /// The areas the actor may compare, widest first: `None` when the
    /// whole country is allowed, else the regions and cercles of their
    /// planner and observer roles.
    pub fn compare_areas(&self) -> Option<Vec<Place>> {
        if self.may(Action::Compare, &Place::default()) {
            return None;
        }
        let me = self.me.as_ref()?;
        let mut areas: Vec<Place> = me
            .grants
            .iter()
            .filter(|g| matches!(g.role, AccessRole::Planner | AccessRole::Observer))
            .filter_map(|g| match &g.scope {
                Scope::Region(r) => Some(Place::area(Some(r), None)),
                Scope::Cercle(c) => Some(Place::area(None, Some(c))),
                _ => None,
            })
            .collect();
        areas.dedup();
        Some(areas)
    }
}

/// True when `grants` hold `role` over a scope covering `place`: whether
/// another account (e.g. one about to be assigned as a verifier) may act
/// there in that role.
pub fn grants_cover(
    grants: &[crate::view::account::Grant],
    role: AccessRole,
    place: &Place,
) -> bool {
    grants
        .iter()
        .any(|g| g.role == role && g.scope.covers(place))
}

/// A place in words, for error messages.
fn describe(place: &Place) -> String {
    match (
        place.commune.as_str(),
        place.cercle.as_str(),
        place.region.as_str(),
    ) {
        ("", "", "") => "the whole country".to_owned(),
        ("", "", r) => format!("region {r}"),
        ("", c, _) => format!("cercle {c}"),
        (id, _, _) => format!("commune {id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::account::Grant;

    fn person(id: i64, grants: &[(AccessRole, Scope)]) -> Actor {
        Actor {
            me: Some(Me {
                id,
                name: format!("p{id}"),
                display_name: format!("P{id}"),
                grants: grants
                    .iter()
                    .map(|(role, scope)| Grant {
                        id: 0,
                        role: *role,
                        scope: scope.clone(),
                    })
                    .collect(),
                demo: false,
                version: 1,
            }),
            ..Actor::default()
        }
    }

    fn bandiagara() -> Place {
        Place {
            region: "Mopti".into(),
            cercle: "Bandiagara".into(),
            commune: "ML-MOP-BDG-01".into(),
        }
    }

    fn kati() -> Place {
        Place {
            region: "Koulikoro".into(),
            cercle: "Kati".into(),
            commune: "ML-KKR-KTI-01".into(),
        }
    }

    /// The table of rules: role and scope, action, place, allowed.
    #[test]
    fn roles_allow_what_the_table_says() {
        use AccessRole::*;
        let mopti = Scope::Region("Mopti".into());
        let bdg = Scope::Commune("ML-MOP-BDG-01".into());
        let cases: Vec<(AccessRole, Scope, Action, Place, bool)> = vec![
            (Admin, Scope::National, Action::Unlock, kati(), true),
            (
                Admin,
                Scope::National,
                Action::ManageAccounts,
                Place::default(),
                true,
            ),
            (
                Planner,
                mopti.clone(),
                Action::ViewAssessment,
                bandiagara(),
                true,
            ),
            (
                Planner,
                mopti.clone(),
                Action::ViewAssessment,
                kati(),
                false,
            ),
            (
                Planner,
                mopti.clone(),
                Action::Compare,
                Place::area(Some("Mopti"), None),
                true,
            ),
            (
                Planner,
                mopti.clone(),
                Action::Compare,
                Place::default(),
                false,
            ),
            (
                Planner,
                mopti.clone(),
                Action::Finalise,
                bandiagara(),
                false,
            ),
            (
                Planner,
                mopti.clone(),
                Action::ViewAudit,
                bandiagara(),
                true,
            ),
            (
                Planner,
                Scope::Cercle("Bandiagara".into()),
                Action::Compare,
                Place::area(Some("Mopti"), Some("Bandiagara")),
                true,
            ),
            (
                Planner,
                Scope::Cercle("Bandiagara".into()),
                Action::Compare,
                Place::area(Some("Mopti"), None),
                false,
            ),
            (
                Observer,
                mopti.clone(),
                Action::ViewAssessment,
                bandiagara(),
                true,
            ),
            (
                Observer,
                mopti.clone(),
                Action::EditPlan,
                bandiagara(),
                false,
            ),
            (
                Observer,
                mopti.clone(),
                Action::ViewAudit,
                bandiagara(),
                false,
            ),
            (
                Facilitator,
                bdg.clone(),
                Action::Finalise,
                bandiagara(),
                true,
            ),
            (Facilitator, bdg.clone(), Action::Unlock, bandiagara(), true),
            (
                Facilitator,
                bdg.clone(),
                Action::EditPlan,
                bandiagara(),
                true,
            ),
            (
                Facilitator,
                bdg.clone(),
                Action::CreateAssessment,
                bandiagara(),
                true,
            ),
            (
                Facilitator,
                bdg.clone(),
                Action::CreateAssessment,
                kati(),
                false,
            ),
            (
                Facilitator,
                bdg.clone(),
                Action::EnterRatings { linked: None },
                bandiagara(),
                true,
            ),
            (
                Facilitator,
                bdg.clone(),
                Action::EnterRatings { linked: Some(99) },
                bandiagara(),
                false,
            ),
            (
                Facilitator,
                bdg.clone(),
                Action::Compare,
                Place::default(),
                false,
            ),
            (
                Facilitator,
                bdg.clone(),
                Action::ManageAccounts,
                Place::default(),
                false,
            ),
            (
                Rater,
                bdg.clone(),
                Action::ViewAssessment,
                bandiagara(),
                true,
            ),
            (
                Rater,
                bdg.clone(),
                Action::EnterRatings { linked: Some(7) },
                bandiagara(),
                true,
            ),
            (
                Rater,
                bdg.clone(),
                Action::EnterRatings { linked: Some(8) },
                bandiagara(),
                false,
            ),
            (
                Rater,
                bdg.clone(),
                Action::EnterRatings { linked: None },
                bandiagara(),
                false,
            ),
            (
                Rater,
                bdg.clone(),
                Action::RecordConsensus,
                bandiagara(),
                false,
            ),
            (
                Verifier,
                mopti.clone(),
                Action::ViewAudit,
                bandiagara(),
                true,
            ),
            (
                Verifier,
                mopti.clone(),
                Action::Finalise,
                bandiagara(),
                false,
            ),
            (
                Verifier,
                mopti.clone(),
                Action::Verify { assigned: Some(7) },
                bandiagara(),
                true,
            ),
            (
                Verifier,
                mopti.clone(),
                Action::Verify { assigned: Some(8) },
                bandiagara(),
                false,
            ),
            (
                Verifier,
                mopti.clone(),
                Action::Verify { assigned: None },
                bandiagara(),
                false,
            ),
            // Assigned, but the role no longer covers the commune.
            (
                Verifier,
                mopti.clone(),
                Action::Verify { assigned: Some(7) },
                kati(),
                false,
            ),
            (
                Verifier,
                mopti.clone(),
                Action::AssignVerifier,
                bandiagara(),
                false,
            ),
            (
                Verifier,
                mopti.clone(),
                Action::ReopenVerification,
                bandiagara(),
                false,
            ),
            (
                Planner,
                mopti.clone(),
                Action::AssignVerifier,
                bandiagara(),
                true,
            ),
            (
                Planner,
                mopti.clone(),
                Action::AssignVerifier,
                kati(),
                false,
            ),
            (
                Planner,
                mopti.clone(),
                Action::Verify { assigned: Some(7) },
                bandiagara(),
                false,
            ),
            (
                Planner,
                mopti.clone(),
                Action::FollowVerification { assigned: None },
                bandiagara(),
                true,
            ),
            (
                Facilitator,
                bdg.clone(),
                Action::FollowVerification { assigned: None },
                bandiagara(),
                false,
            ),
            (
                Facilitator,
                bdg.clone(),
                Action::Verify { assigned: Some(7) },
                bandiagara(),
                false,
            ),
            (
                Rater,
                bdg.clone(),
                Action::Verify { assigned: Some(7) },
                bandiagara(),
                false,
            ),
            (
                Admin,
                Scope::National,
                Action::ReopenVerification,
                bandiagara(),
                true,
            ),
            (
                Admin,
                Scope::National,
                Action::Verify { assigned: None },
                bandiagara(),
                false,
            ),
            (Verifier, mopti, Action::Finalise, bandiagara(), false),
        ];
        for (role, scope, action, place, allowed) in cases {
            let actor = person(7, &[(role, scope.clone())]);
            assert_eq!(
                actor.may(action, &place),
                allowed,
                "{role:?} over {scope:?}: {action:?} at {place:?}"
            );
        }
    }

    #[test]
    fn visitors_see_what_is_public_and_get_401_else() {
        let mut visitor = Actor::default();
        assert!(visitor.may(Action::BrowseRubrics, &Place::default()));
        assert!(!visitor.may(Action::ViewAssessment, &bandiagara()));
        assert!(matches!(
            visitor.check(Action::ViewAssessment, &bandiagara()),
            Err(AppError::Unauthenticated(_))
        ));
        visitor.public = PublicPages {
            rubrics: false,
            results: true,
            compare: true,
        };
        assert!(!visitor.may(Action::BrowseRubrics, &Place::default()));
        assert!(visitor.may(Action::ViewAssessment, &bandiagara()));
        assert!(visitor.may(Action::Compare, &Place::default()));
        assert!(!visitor.may(Action::EnterRatings { linked: None }, &bandiagara()));
        let refused = person(3, &[]).check(Action::Finalise, &bandiagara());
        assert!(matches!(refused, Err(AppError::Forbidden(_))));
    }

    #[test]
    fn compare_areas_follow_the_roles() {
        let planner = person(
            1,
            &[
                (AccessRole::Planner, Scope::Region("Mopti".into())),
                (AccessRole::Observer, Scope::Cercle("Kati".into())),
            ],
        );
        assert_eq!(
            planner.compare_areas(),
            Some(vec![
                Place::area(Some("Mopti"), None),
                Place::area(None, Some("Kati"))
            ])
        );
        let national = person(2, &[(AccessRole::Observer, Scope::National)]);
        assert_eq!(national.compare_areas(), None);
    }

    #[test]
    fn scopes_round_trip_and_refuse_empty_territories() {
        for s in [
            Scope::National,
            Scope::Region("Mopti".into()),
            Scope::Cercle("Kati".into()),
            Scope::Commune("ML-1".into()),
        ] {
            assert_eq!(Scope::from_parts(s.kind(), s.value()), Some(s.clone()));
        }
        assert_eq!(Scope::from_parts("region", " "), None);
        assert_eq!(Scope::from_parts("planet", "x"), None);
        for r in AccessRole::ALL {
            assert_eq!(AccessRole::from_code(r.code()), Some(r));
        }
    }
}
