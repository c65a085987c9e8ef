//! The page around a report: document head, inline style sheet (screen
//! and print), header and footer.
//!
//! One self-contained file: no script, no external style sheet, font or
//! image; charts are inline SVG. Printing: A4, sections start on a new
//! page, tables and charts avoid page breaks inside, explanations are
//! `<details open>` so that they print expanded in every browser while a
//! reader on screen can fold them.

use crate::html::Html;
use crate::labels::tr;
use capacity::Lang;

/// The style sheet of every report.
pub const CSS: &str = r#"
:root{--ink:#1f2933;--muted:#52606d;--line:#cbd2d9;--bg:#f5f7fa;--ok:#1b7f3b;--bad:#b42318;--warn:#8a5a00}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);margin:0 auto;max-width:1100px;padding:1.5rem;line-height:1.45;font-size:15px}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;border-bottom:2px solid var(--line);padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.1rem;margin:1.4rem 0 .4rem}h4{font-size:1rem;margin:1rem 0 .3rem}
.sub{color:var(--muted);margin:.2rem 0 1rem}
.badge{display:inline-block;border:1px solid var(--line);border-radius:.3rem;padding:0 .35rem;font-size:.85em;background:var(--bg)}
.badge.bad{border-color:var(--bad);color:var(--bad)}.badge.ok{border-color:var(--ok);color:var(--ok)}.badge.warn{border-color:var(--warn);color:var(--warn)}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid var(--line);padding:.25rem .45rem;vertical-align:top;text-align:left}
th{background:var(--bg)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.d1{padding-left:1.2rem}td.d2{padding-left:2.2rem}td.d3{padding-left:3.2rem}
.note{color:var(--muted);font-size:.85rem;margin:.2rem 0 1rem}
.ind{border-left:3px solid var(--line);padding:.2rem 0 .2rem .7rem;margin:.6rem 0}
.ind.fail{border-left-color:var(--bad)}
.ind header{font-weight:600}
details{margin:.2rem 0 .4rem}summary{cursor:pointer;color:var(--muted)}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.charts figure{margin:0;flex:1 1 420px}
figure svg{max-width:100%;height:auto}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem}dl.kv dt{font-weight:600}dl.kv dd{margin:0}
footer{margin-top:2rem;border-top:1px solid var(--line);color:var(--muted);font-size:.85rem}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;padding:0;font-size:10.5pt}section.page{break-before:page}
table,figure,.ind{break-inside:avoid}h2,h3,h4{break-after:avoid}summary{display:none}a{color:inherit;text-decoration:none}}
"#;

/// Opens the document: doctype, head with title and style, `<body>`.
pub fn open(html: &mut Html, lang: Lang, title: &str) {
    html.raw("<!DOCTYPE html>\n");
    html.raw(match lang {
        Lang::Fr => "<html lang=\"fr\">",
        Lang::En => "<html lang=\"en\">",
    });
    html.raw("\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<meta name=\"generator\" content=\"capacity-report\"/>\n");
    html.elem("title", "", title).nl();
    html.raw("<style>")
        .raw(CSS)
        .raw("</style>\n</head>\n<body>\n");
}

/// Closes the document with a footer saying how it was made.
pub fn close(html: &mut Html, lang: Lang, fictional: bool, sources: &[String]) {
    html.open("footer", "").nl();
    if fictional {
        html.elem(
            "p",
            "",
            tr(
                lang,
                "Données fictives : ce rapport ne décrit aucune commune réelle.",
                "Fictional data: this report describes no real commune.",
            ),
        );
    }
    html.elem(
        "p",
        "",
        tr(
            lang,
            "Rapport produit par commune-capacity (capacity-report). Scores exacts en décimales, arrondis seulement à l'affichage ; les niveaux ordinaux ne sont pas des mesures.",
            "Report made by commune-capacity (capacity-report). Scores are exact decimals, rounded only for display; ordinal levels are not measurements.",
        ),
    );
    if !sources.is_empty() {
        html.elem(
            "p",
            "",
            &format!(
                "{}{}",
                tr(lang, "Sources du référentiel : ", "Rubric sources: "),
                sources.join(" ; ")
            ),
        );
    }
    html.close("footer").nl().raw("</body>\n</html>\n");
}

/// A section with an id, a heading, and the class `page` (a new page when
/// printed) unless `same_page`.
pub fn section(html: &mut Html, id: &str, heading: &str, same_page: bool) {
    let class = if same_page { "" } else { " class=\"page\"" };
    html.raw(&format!("<section id=\"{id}\"{class}>\n"));
    html.elem("h2", "", heading).nl();
}

/// Ends a section.
pub fn end_section(html: &mut Html) {
    html.raw("</section>\n");
}

/// A chart as a figure with a caption.
pub fn figure(html: &mut Html, svg: &str, caption: &str) {
    html.open("figure", "").nl();
    html.raw(crate::html::inline_svg(svg)).nl();
    html.elem("figcaption", "class=\"note\"", caption);
    html.close("figure").nl();
}
