//! The share of communes at or above the basic level, node by node and
//! group by group: the first table a planner reads, before any mean or
//! rank (PEFA's advice for ordinal scores). The web app's compare page and
//! its downloads use it; every figure comes from the core's comparison.

use capacity::GroupComparison;
use capacity::{CompiledRubric, Group, Lang, NodeKind, NodeRef, ROOT};

use crate::labels::tr;
use crate::tables;
use crate::{Cell, Column, Table};

/// The share at or above the basic level of the overall score and of
/// every domain and competency (rows), for each group given (columns: the
/// selection first, then its regions or cercles). Built from the core's
/// [`capacity::NodeSummary::at_or_above_basic`]; nothing is recomputed.
pub fn share_matrix(rubric: &CompiledRubric, groups: &[&GroupComparison], lang: Lang) -> Table {
    let basic = rubric.level_code(rubric.basic());
    let mut columns: Vec<(String, String)> = vec![
        ("id".to_owned(), "Id".to_owned()),
        ("title".to_owned(), tr(lang, "Intitulé", "Title").to_owned()),
    ];
    for (i, g) in groups.iter().enumerate() {
        let label = match &g.group {
            Group::National => tr(lang, "Sélection", "Selection").to_owned(),
            Group::Region { region } => region.clone(),
            Group::Cercle { cercle, .. } => cercle.clone(),
        };
        columns.push((format!("share_{i}"), format!("{label} ({})", g.communes)));
    }
    let mut t = Table {
        title: match lang {
            Lang::Fr => format!("Part des communes au niveau de base ({basic}) ou au-dessus"),
            Lang::En => format!("Share of communes at or above the basic level ({basic})"),
        },
        columns: columns
            .into_iter()
            .map(|(key, label)| Column { key, label })
            .collect(),
        rows: Vec::new(),
        note: None,
    };
    let nodes = std::iter::once(ROOT).chain(tables::tree_nodes(rubric));
    for n in nodes {
        let (id, title, depth) = if n == ROOT {
            (
                rubric.rubric().id.clone(),
                tr(lang, "Score global", "Overall score").to_owned(),
                0,
            )
        } else {
            let depth = match rubric.node(n).map(|x| x.kind) {
                Some(NodeKind::Competency) => 2,
                _ => 1,
            };
            (
                rubric.id(NodeRef::Node(n)).to_owned(),
                tables::title(rubric, NodeRef::Node(n), lang),
                depth,
            )
        };
        let mut row = vec![Cell::Tree { depth, text: id }, Cell::Text(title)];
        row.extend(groups.iter().map(|g| {
            g.nodes
                .get(n.index())
                .map_or(Cell::Empty, |s| Cell::Share(s.at_or_above_basic))
        }));
        t.push(row);
    }
    t.with_note(tr(
        lang,
        "Communes dont le niveau (bande du score) est le niveau de base ou plus haut, parmi les communes notées ; entre parenthèses : nombre de communes du groupe. Les communes pour lesquelles le nœud est non applicable ou non répondu ne comptent pas au dénominateur (voir les répartitions).",
        "Communes whose level (band of the score) is the basic level or higher, among the scored communes; in brackets: communes in the group. Communes for which the node is not applicable or unanswered are not in the denominator (see the distributions).",
    ))
}
