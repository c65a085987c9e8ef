//! `/comparer`: the planners' comparison of communes.
//!
//! A server component (no island): everything is rendered on the server
//! from `load_comparison`, and every control is a plain GET form, so the
//! page works the same with JavaScript off. Filters (rubric, region,
//! cercle, round) and the grant simulation's fields live in the query
//! string, so a comparison can be bookmarked, shared and downloaded with
//! the same filters (`/comparer/export.csv`, `.xlsx`,
//! `/comparer/subventions.csv`).
//!
//! Sections follow the order honest reading of ordinal data asks for:
//! shares at the basic level and distributions first (NA, D* and
//! unanswered apart), then the heatmap, then the ranking with the sentence
//! that states its method; then progress, reform needs and grants.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::compare::{
    ChartView, ComparePageData, CompareQuery, ComparisonView, DEFAULT_POOL, DEFAULT_THRESHOLD,
    FilterOptions, GrantInputError, GrantQuery, GrantView, ReformView, TableView, href,
    load_comparison,
};
use crate::locale::{code, use_locale};
use crate::ui::common::{ErrorBox, Loading};
use crate::{tr, tr_string};

/// `/comparer?rubric=…&region=…&cercle=…&round=…[&pool=…&threshold=…&formula=…&provisional=accept]`.
#[component]
pub fn ComparePage() -> impl IntoView {
    let query = use_query_map();
    let locale = use_locale();
    let params = move || {
        let q = query.read();
        let get = |k: &str| q.get(k);
        (
            CompareQuery::from_lookup(get),
            GrantQuery::from_lookup(get),
            code(locale.get()).to_owned(),
        )
    };
    let data = Resource::new(params, |(q, g, lang)| load_comparison(q, g, lang));
    view! {
        <h1 data-testid="page-title">{tr!(nav_compare)}</h1>
        <p>{tr!(section_compare_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (q, g, _) = params();
                match data.await {
                    Ok(data) => view! { <CompareBody data query=q grants=g /> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CompareBody(data: ComparePageData, query: CompareQuery, grants: GrantQuery) -> impl IntoView {
    let ComparePageData {
        options,
        comparison,
    } = data;
    let form_query = query.clone();
    let body = match comparison {
        Some(view) => view! { <Comparison view query grants /> }.into_any(),
        None => view! { <EmptySelection query=query.clone() /> }.into_any(),
    };
    view! {
        <FilterForm options query=form_query />
        {body}
    }
}

/// The GET form of the filters.
#[component]
fn FilterForm(options: FilterOptions, query: CompareQuery) -> impl IntoView {
    let rubric = query.rubric_id().to_owned();
    let region = query.region.clone();
    let cercle = query.cercle.clone();
    let round = query.round.clone();
    let cercles: Vec<String> = options
        .regions
        .iter()
        .filter(|(r, _)| region.as_ref().is_none_or(|sel| sel == r))
        .flat_map(|(_, cs)| cs.iter().cloned())
        .collect();
    view! {
        <form method="get" action="/comparer" class="filters cmp-filters" data-testid="compare-filters">
            <label>
                {tr!(rubric)}
                <select name="rubric">
                    {options.rubrics.into_iter().map(|(id, title)| {
                        let selected = id == rubric;
                        view! { <option value=id selected=selected>{title}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                {tr!(region)}
                <select name="region">
                    <option value="">{tr!(all)}</option>
                    {options.regions.iter().map(|(r, _)| {
                        let selected = region.as_deref() == Some(r.as_str());
                        view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                {tr!(cercle)}
                <select name="cercle">
                    <option value="">{tr!(all)}</option>
                    {cercles.into_iter().map(|c| {
                        let selected = cercle.as_deref() == Some(c.as_str());
                        let value = c.clone();
                        view! { <option value=value selected=selected>{c}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                {tr!(round)}
                <select name="round">
                    <option value="">{tr!(cmp_latest_round)}</option>
                    {options.rounds.into_iter().map(|r| {
                        let selected = round.as_deref() == Some(r.as_str());
                        let value = r.clone();
                        view! { <option value=value selected=selected>{r}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" data-testid="compare-submit">{tr!(cmp_compare)}</button>
        </form>
    }
}

/// No assessment matches: say so, echo the filters (escaped like all text).
#[component]
fn EmptySelection(query: CompareQuery) -> impl IntoView {
    let rubric = query.rubric_id().to_owned();
    let filters: Vec<String> = [&query.region, &query.cercle, &query.round]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    view! {
        <div class="notice" role="status" data-testid="compare-empty">
            <p><strong>{tr!(cmp_empty)}</strong></p>
            <p>
                {tr!(rubric)} " " <code>{rubric}</code>
                {(!filters.is_empty()).then(|| view! { " · " <span data-testid="compare-empty-filters">{filters.join(" · ")}</span> })}
            </p>
            <p>{tr!(cmp_empty_hint)}</p>
        </div>
    }
}

#[component]
fn Comparison(view: ComparisonView, query: CompareQuery, grants: GrantQuery) -> impl IntoView {
    let provisional = view.communes.iter().filter(|c| c.provisional).count();
    let count = view.communes.len();
    let pairs = query.pairs();
    let csv = href("/comparer/export.csv", &pairs);
    let xlsx = href("/comparer/export.xlsx", &pairs);
    let ComparisonView {
        rubric_title,
        rubric_key,
        basic,
        communes,
        rounds,
        left_out,
        shares,
        groups,
        distribution,
        nodes,
        indicators,
        heatmap,
        ranking,
        progress_charts,
        progress,
        reform,
        redeployment,
        grants: simulation,
    } = view;
    view! {
        <section aria-labelledby="cmp-summary" class="cmp-section">
            <h2 id="cmp-summary">{tr!(cmp_summary)}</h2>
            <p data-testid="compare-summary">
                <strong data-testid="compare-count">{count}</strong> " " {tr!(cmp_communes_compared)}
                " · " {rubric_title} " (" <code>{rubric_key}</code> ")"
                " · " {tr!(cmp_rounds)} " " {rounds.join(", ")}
                " · " {tr!(cmp_basic_level)} " " <strong>{basic}</strong>
            </p>
            {(provisional > 0).then(|| view! {
                <p class="notice" data-testid="compare-provisional">
                    <span class="tag">{tr!(provisional)}</span> " " {provisional} " " {tr!(cmp_provisional_note)}
                </p>
            })}
            {(!left_out.is_empty()).then(|| view! {
                <div class="notice" data-testid="compare-left-out">
                    <p>{tr!(cmp_left_out)}</p>
                    <ul>{left_out.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </div>
            })}
            <ul class="actions-row" data-testid="compare-downloads">
                <li><a href=csv download data-testid="download-csv">{tr!(cmp_download_csv)}</a></li>
                <li><a href=xlsx download data-testid="download-xlsx">{tr!(cmp_download_xlsx)}</a></li>
            </ul>
            <details class="cmp-communes">
                <summary>{tr!(cmp_communes_list)} " (" {count} ")"</summary>
                <ul data-testid="compare-communes">
                    {communes.into_iter().map(|c| {
                        let link = format!("/communes/{}", c.id);
                        let (id, region) = (c.id.clone(), c.region.clone());
                        view! {
                            <li data-commune=id data-region=region>
                                <a href=link>{c.name}</a>
                                <span class="muted">" · " {c.cercle} " · " {c.region} " · " {c.round}</span>
                                {c.provisional.then(|| view! { " " <span class="tag">{tr!(provisional)}</span> })}
                                {(!c.finalised).then(|| view! { " " <span class="tag">{tr!(in_progress)}</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </details>
        </section>

        <section aria-labelledby="cmp-basic" class="cmp-section">
            <h2 id="cmp-basic">{tr!(cmp_basic_title)}</h2>
            <p class="muted">{tr!(cmp_basic_intro)}</p>
            <DataTable table=shares />
            <DataTable table=groups />
        </section>

        <section aria-labelledby="cmp-distributions" class="cmp-section">
            <h2 id="cmp-distributions">{tr!(cmp_distributions_title)}</h2>
            <p class="muted">{tr!(cmp_states_note)}</p>
            <Chart chart=distribution class="chart fit" testid="distribution-chart" />
            <DataTable table=nodes />
            <details>
                <summary>{tr!(cmp_indicators_details)}</summary>
                <DataTable table=indicators />
            </details>
        </section>

        <section aria-labelledby="cmp-heatmap" class="cmp-section">
            <h2 id="cmp-heatmap">{tr!(cmp_heatmap_title)}</h2>
            <Chart chart=heatmap class="chart wide" testid="heatmap" />
        </section>

        <section aria-labelledby="cmp-ranking" class="cmp-section">
            <h2 id="cmp-ranking">{tr!(cmp_ranking_title)}</h2>
            <p class="muted">{tr!(cmp_ranking_intro)}</p>
            <DataTable table=ranking />
        </section>

        <section aria-labelledby="cmp-progress" class="cmp-section">
            <h2 id="cmp-progress">{tr!(cmp_progress_title)}</h2>
            {match progress {
                Some(table) => view! {
                    {progress_charts.into_iter().enumerate().map(|(i, chart)| {
                        let testid = format!("progress-chart-{i}");
                        view! { <Chart chart class="chart fit" testid /> }
                    }).collect_view()}
                    <DataTable table />
                }.into_any(),
                None => view! { <p class="muted" data-testid="progress-none">{tr!(cmp_progress_none)}</p> }.into_any(),
            }}
        </section>

        <section aria-labelledby="cmp-reform" class="cmp-section">
            <h2 id="cmp-reform">{tr!(cmp_reform_title)}</h2>
            <p class="muted">{tr!(cmp_reform_intro)}</p>
            <Reform reform />
            {redeployment.map(|r| view! {
                <h3>{tr!(cmp_redeployment_title)}</h3>
                <p class="muted">{tr!(cmp_redeployment_intro)}</p>
                <Reform reform=r />
            })}
        </section>

        <section aria-labelledby="cmp-grants" class="cmp-section" id="simulation">
            <h2 id="cmp-grants">{tr!(cmp_grants_title)}</h2>
            <p class="muted">{tr!(cmp_grants_intro)}</p>
            <GrantForm query=query.clone() grants=grants.clone() />
            {simulation.map(|s| match s {
                Ok(result) => view! { <GrantResult result query grants /> }.into_any(),
                Err(e) => view! { <GrantError error=e /> }.into_any(),
            })}
        </section>
    }
}

/// A chart made by `capacity-charts`, inlined. The SVG is produced by the
/// chart crate, which escapes every text it writes (commune names, rubric
/// titles) and gives the root `role="img"` with a `<title>` and a
/// `<desc>`; so inlining it with `inner_html` injects no markup from
/// users.
#[component]
fn Chart(chart: ChartView, class: &'static str, #[prop(into)] testid: String) -> impl IntoView {
    view! {
        <figure class=class data-testid=testid>
            <div class="chart-scroll" tabindex="0" inner_html=chart.svg></div>
            <figcaption class="muted">{chart.caption}</figcaption>
        </figure>
    }
}

/// A table with a caption, column headers, row headers and its note,
/// scrolling sideways inside its own container on narrow screens.
#[component]
fn DataTable(table: TableView) -> impl IntoView {
    let TableView {
        id,
        title,
        columns,
        rows,
        footer,
        note,
    } = table;
    let caption_id = format!("{id}-caption");
    let labelled_by = caption_id.clone();
    let (table_id, testid) = (id.clone(), id.clone());
    let note_id = format!("{id}-note");
    let described = note.as_ref().map(|_| note_id.clone());
    let keys: Vec<(String, bool)> = columns.iter().map(|c| (c.key.clone(), c.numeric)).collect();
    let cell_class = move |i: usize, depth: u8| {
        let numeric = keys.get(i).is_some_and(|k| k.1);
        match (numeric, depth) {
            (_, d) if d > 0 => format!("d{d}"),
            (true, _) => "num".to_owned(),
            _ => String::new(),
        }
    };
    let key_of = {
        let columns = columns.clone();
        move |i: usize| columns.get(i).map(|c| c.key.clone()).unwrap_or_default()
    };
    let row_view = {
        let cell_class = cell_class.clone();
        let key_of = key_of.clone();
        move |row: Vec<crate::api::compare::CellView>| {
            row.into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let class = cell_class(i, c.depth);
                    let key = key_of(i);
                    if i == 0 {
                        view! { <th scope="row" class=class data-col=key>{c.text}</th> }.into_any()
                    } else {
                        view! { <td class=class data-col=key>{c.text}</td> }.into_any()
                    }
                })
                .collect_view()
        }
    };
    let footer_row = footer.map(|f| {
        let row_view = row_view.clone();
        view! { <tfoot><tr data-testid=format!("{id}-total")>{row_view(f)}</tr></tfoot> }
    });
    view! {
        <div class="table-scroll" role="region" aria-labelledby=labelled_by tabindex="0">
            <table id=table_id data-testid=testid aria-describedby=described>
                <caption id=caption_id>{title}</caption>
                <thead>
                    <tr>
                        {columns.into_iter().map(|c| {
                            let class = if c.numeric { "num" } else { "" };
                            view! { <th scope="col" class=class data-col=c.key>{c.label}</th> }
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! { <tr>{row_view.clone()(row)}</tr> }).collect_view()}
                </tbody>
                {footer_row}
            </table>
        </div>
        {note.map(|n| view! { <p class="note muted" id=note_id>{n}</p> })}
    }
}

#[component]
fn Reform(reform: ReformView) -> impl IntoView {
    let ReformView {
        rubric_title,
        entities,
        flagged,
        tables,
        regions,
    } = reform;
    let none = flagged.is_empty();
    view! {
        <p>
            {rubric_title} " · " {entities} " " {tr!(cmp_entities)} " · "
            {tr!(cmp_transfers_not_effective)} " "
            {if none { tr!(cmp_none).into_any() } else { view! { <strong>{flagged.join(", ")}</strong> }.into_any() }}
        </p>
        {tables.into_iter().map(|table| view! { <DataTable table /> }).collect_view()}
        {(!regions.is_empty()).then(|| view! {
            <details>
                <summary>{tr!(cmp_reform_by_region)}</summary>
                {regions.into_iter().map(|table| view! { <DataTable table /> }).collect_view()}
            </details>
        })}
    }
}

/// The grant simulation form: GET, so it works without JavaScript and the
/// simulation can be bookmarked; the filters ride along as hidden fields.
#[component]
fn GrantForm(query: CompareQuery, grants: GrantQuery) -> impl IntoView {
    let pool = grants
        .pool
        .clone()
        .unwrap_or_else(|| DEFAULT_POOL.to_owned());
    let threshold = grants
        .threshold
        .clone()
        .unwrap_or_else(|| DEFAULT_THRESHOLD.to_owned());
    let by_population = grants.by_population();
    let accept = grants.accept_provisional();
    view! {
        <form method="get" action="/comparer#simulation" class="grant-form" data-testid="grant-form">
            {query.pairs().into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v /> }).collect_view()}
            <label>
                {tr!(cmp_pool)}
                <input type="text" inputmode="numeric" name="pool" value=pool required
                    autocomplete="off" data-testid="grant-pool" />
            </label>
            <label>
                {tr!(cmp_threshold)}
                <input type="text" inputmode="decimal" name="threshold" value=threshold
                    autocomplete="off" data-testid="grant-threshold" />
            </label>
            <fieldset>
                <legend>{tr!(cmp_formula)}</legend>
                <label class="inline">
                    <input type="radio" name="formula" value="score" checked=!by_population />
                    " " {tr!(cmp_formula_score)}
                </label>
                <label class="inline">
                    <input type="radio" name="formula" value="population" checked=by_population
                        data-testid="grant-by-population" />
                    " " {tr!(cmp_formula_population)}
                </label>
            </fieldset>
            <label class="inline">
                <input type="checkbox" name="provisional" value="accept" checked=accept />
                " " {tr!(cmp_accept_provisional)}
            </label>
            <button type="submit" class="primary" data-testid="grant-submit">{tr!(cmp_simulate)}</button>
        </form>
    }
}

#[component]
fn GrantResult(result: GrantView, query: CompareQuery, grants: GrantQuery) -> impl IntoView {
    let mut pairs = query.pairs();
    pairs.extend(grants.pairs());
    let csv = href("/comparer/subventions.csv", &pairs);
    let GrantView {
        table,
        pool,
        distributed,
        undistributed,
        total,
        eligible,
        communes,
        excluded,
    } = result;
    view! {
        <div class="grant-result" data-testid="grant-result" role="status">
            <p>
                {tr!(cmp_pool)} " " <strong data-testid="grant-pool-shown">{pool}</strong>
                " · " {tr!(cmp_eligible)} " " {eligible} " / " {communes}
                " · " {tr!(cmp_distributed)} " " <strong data-testid="grant-distributed">{distributed}</strong>
                " · " {tr!(cmp_undistributed)} " " <span data-testid="grant-undistributed">{undistributed}</span>
            </p>
            <p class="muted">{tr!(cmp_grants_method)} " " {tr!(cmp_total)} " " <span data-testid="grant-total">{total}</span></p>
            <DataTable table />
            {(!excluded.is_empty()).then(|| view! {
                <h3>{tr!(cmp_excluded)}</h3>
                <ul data-testid="grant-excluded">
                    {excluded.into_iter().map(|(name, why)| view! { <li><strong>{name}</strong> " : " {why}</li> }).collect_view()}
                </ul>
            })}
            <p><a href=csv download data-testid="download-grants">{tr!(cmp_download_grants)}</a></p>
        </div>
    }
}

#[component]
fn GrantError(error: GrantInputError) -> impl IntoView {
    let (message, value) = match error {
        GrantInputError::Pool(v) => (tr_string!(cmp_bad_pool)(), v),
        GrantInputError::Threshold(v) => (tr_string!(cmp_bad_threshold)(), v),
        GrantInputError::Rules(m) => (tr_string!(cmp_bad_rules)(), m),
    };
    view! {
        <div class="error" role="alert" data-testid="grant-error">
            <strong>{message}</strong>
            <p><code>{value}</code></p>
        </div>
    }
}
