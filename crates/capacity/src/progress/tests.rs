//! Progress between two rounds, worked out by hand on the fixture rubric
//! of `planning::tests` (D, C, B, A score 0, 100/3, 200/3, 100).

use super::*;
use crate::planning::tests::{assessment, close, d, rubric, scored};
use crate::{Assessment, LevelIx, ROOT};

/// Round 2023: i1 D, i2 C, i3 B, i4 NI, i5 unanswered. Round 2025: i1 B,
/// i2 C, i3 C, i4 C, i5 B.
fn rounds() -> (Assessment, Assessment) {
    (
        assessment(
            "x",
            ("R", "K"),
            None,
            true,
            "2023",
            &[("i1", "D"), ("i2", "C"), ("i3", "B"), ("i4", "NI")],
        ),
        assessment(
            "x",
            ("R", "K"),
            None,
            true,
            "2025",
            &[
                ("i1", "B"),
                ("i2", "C"),
                ("i3", "C"),
                ("i4", "C"),
                ("i5", "B"),
            ],
        ),
    )
}

/// Checks an indicator's change, level delta, gap change and score delta.
#[track_caller]
fn check(
    p: &Progress,
    rubric: &CompiledRubric,
    id: &str,
    change: Change,
    levels: Option<i16>,
    gap: GapChange,
    delta: Option<Decimal>,
) {
    let ix = rubric.indicator_ix(id).expect("known");
    let c = &p.indicators[ix.index()];
    assert_eq!(
        (c.change, c.levels, c.gap, c.score.delta.map(close)),
        (change, levels, gap, delta.map(close)),
        "{id}"
    );
}

#[test]
fn changes_between_rounds() {
    let rubric = rubric();
    let (a, b) = rounds();
    let (sa, sb) = (scored(&rubric, &a), scored(&rubric, &b));
    let p = progress(
        &rubric,
        &CommuneResult::new(&a, &sa),
        &CommuneResult::new(&b, &sb),
    )
    .expect("same commune");
    let third = d(100) / d(3);
    // i1: D → B reaches its target and its minimum: gap closed.
    check(
        &p,
        &rubric,
        "i1",
        Change::Improved,
        Some(2),
        GapChange::Closed,
        Some(third * d(2)),
    );
    // i2: C → C, target A.
    check(
        &p,
        &rubric,
        "i2",
        Change::Unchanged,
        Some(0),
        GapChange::StillOpen,
        Some(d(0)),
    );
    // i3: B → C falls below its target B: gap opened.
    check(
        &p,
        &rubric,
        "i3",
        Change::Declined,
        Some(-1),
        GapChange::Opened,
        Some(-third),
    );
    // i4: NI counts as D, so NI → C is one level up; still below B.
    check(
        &p,
        &rubric,
        "i4",
        Change::Improved,
        Some(1),
        GapChange::StillOpen,
        Some(third),
    );
    // i5: unanswered in 2023.
    check(
        &p,
        &rubric,
        "i5",
        Change::NotComparable,
        None,
        GapChange::NotComparable,
        None,
    );
    assert_eq!(p.indicators[3].from, Status::NoInformation);
    assert_eq!(p.indicators[4].from, Status::Unanswered);
    assert_eq!(p.indicators[4].to, Status::Level(LevelIx(2)));
    assert_eq!(
        p.summary,
        ProgressSummary {
            improved: 2,
            unchanged: 1,
            declined: 1,
            not_comparable: 1,
            gaps_opened: 1,
            gaps_closed: 1,
            gaps_still_open: 2,
        }
    );
    assert_eq!(
        (p.opened.clone(), p.closed.clone()),
        (vec![IndicatorIx(2)], vec![IndicatorIx(0)])
    );
    // Overall 2023: d1 = (50/3 + 200/3)/2 = 125/3, d2 = 0 → 125/6.
    // 2025: d1 = (50 + 100/3)/2 = 125/3, d2 = 50 → 275/6. Delta 25.
    assert_eq!(p.overall.from.map(close), Some(close(d(125) / d(6))));
    assert_eq!(p.overall.to.map(close), Some(close(d(275) / d(6))));
    assert_eq!(p.overall.delta.map(close), Some(close(d(25))));
    assert_eq!(p.nodes[ROOT.index()].score, p.overall);
    let d2 = rubric.node_ix("d2").expect("known");
    assert_eq!(
        p.nodes[d2.index()].score.delta.map(close),
        Some(close(d(50)))
    );
    assert_eq!(
        (p.from_round.as_str(), p.to_round.as_str()),
        ("2023", "2025")
    );

    // Mirror: B to A.
    let back = progress(
        &rubric,
        &CommuneResult::new(&b, &sb),
        &CommuneResult::new(&a, &sa),
    )
    .expect("same commune");
    assert_eq!(back, p.mirror());
    check(
        &back,
        &rubric,
        "i3",
        Change::Improved,
        Some(1),
        GapChange::Closed,
        Some(third),
    );
    assert_eq!(back.summary.gaps_opened, 1);
}

#[test]
fn same_round_is_unchanged() {
    let rubric = rubric();
    let (a, _) = rounds();
    let s = scored(&rubric, &a);
    let r = CommuneResult::new(&a, &s);
    let p = progress(&rubric, &r, &r).expect("same commune");
    assert_eq!((p.summary.improved, p.summary.declined), (0, 0));
    assert_eq!((p.summary.unchanged, p.summary.not_comparable), (4, 1));
    assert_eq!(p.overall.delta, Some(Decimal::ZERO));
    assert_eq!(p.mirror(), p);
}

#[test]
fn rounds_of_other_communes_or_rubrics_are_refused() {
    let rubric = rubric();
    let (a, mut b) = rounds();
    b.commune.id = "y".into();
    let (sa, mut sb) = (scored(&rubric, &a), scored(&rubric, &b));
    sb.rubric = "plan@2".into();
    let err = progress(
        &rubric,
        &CommuneResult::new(&a, &sa),
        &CommuneResult::new(&b, &sb),
    )
    .expect_err("mismatch");
    assert_eq!(
        err.to_string(),
        "commune `y` was scored with rubric `plan@2`, not `plan@1`: score every assessment with the same rubric version\n\
         the rounds are of two communes, `x` and `y`: compare two rounds of the same commune"
    );
}
