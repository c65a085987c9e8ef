//! `/comparer` and `/comparer/subventions`: the planners' comparison of
//! communes and the grant simulation.
//!
//! Server components (no island): everything is rendered on the server
//! from `load_comparison` and `load_grants`, and every control is a plain
//! GET form or link, so the pages work the same with JavaScript off.
//! Filters (rubric, region, cercle, campaign), the grant simulation's fields
//! and the page and order of each long table live in the query string, so
//! a view can be bookmarked, shared and downloaded with the same filters
//! (`/comparer/export.csv`, `.xlsx`, `/comparer/subventions.csv`).
//!
//! Sections follow the order honest reading of ordinal data asks for:
//! a summary, shares at the basic level and distributions first (NA, D*
//! and unanswered apart), then the heatmap, then the ranking with the
//! sentence that states its method; then progress, reform needs and the
//! way to the grant simulation. At national scale the page stays light:
//! links to each section, long tables one page at a time (sortable by any
//! column), details folded, the grant simulation on its own page.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::compare::{
    COMMUNES_LISTED, CampaignShown, ChartView, ComparePageData, ComparePaging, CompareQuery,
    ComparisonView, DEFAULT_POOL, DEFAULT_THRESHOLD, FilterOptions, GrantInputError, GrantQuery,
    GrantSelection, GrantView, GrantsPageData, HeatmapView, Paging, ReformView, TableQuery,
    TableView, encode_component, href, load_comparison, load_grants,
};
use crate::locale::{code, use_locale};
use crate::ui::common::{ErrorBox, Loading};
use crate::{tr, tr_string};
use capacity::Ineligible;

/// `/comparer?rubric=…&region=…&cercle=…&round=…[&rank_page=…&rank_sort=…&rank_dir=desc&prog_…]`.
#[component]
pub fn ComparePage() -> impl IntoView {
    let query = use_query_map();
    let locale = use_locale();
    let params = move || {
        let q = query.read();
        let get = |k: &str| q.get(k);
        (
            CompareQuery::from_lookup(get),
            ComparePaging::from_lookup(get),
            code(locale.get()).to_owned(),
        )
    };
    let data = Resource::new(params, |(q, p, lang)| load_comparison(q, p, lang));
    view! {
        <h1 data-testid="page-title">{tr!(nav_compare)}</h1>
        <p>{tr!(section_compare_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (q, p, _) = params();
                match data.await {
                    Ok(data) => view! { <CompareBody data query=q paging=p /> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/comparer/subventions?rubric=…&region=…&cercle=…&round=…&pool=…&threshold=…&formula=…&provisional=accept[&alloc_page=…&alloc_sort=…&alloc_dir=desc]`.
#[component]
pub fn GrantsPage() -> impl IntoView {
    let query = use_query_map();
    let locale = use_locale();
    let params = move || {
        let q = query.read();
        let get = |k: &str| q.get(k);
        (
            CompareQuery::from_lookup(get),
            GrantQuery::from_lookup(get),
            TableQuery::from_lookup(ComparePaging::GRANTS, get),
            code(locale.get()).to_owned(),
        )
    };
    let data = Resource::new(params, |(q, g, t, lang)| load_grants(q, g, t, lang));
    view! {
        <h1 data-testid="page-title">{tr!(cmp_grants_title)}</h1>
        <p class="muted">{tr!(cmp_grants_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (q, g, _, _) = params();
                match data.await {
                    Ok(data) => view! { <GrantsBody data query=q grants=g /> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CompareBody(data: ComparePageData, query: CompareQuery, paging: ComparePaging) -> impl IntoView {
    let ComparePageData {
        options,
        campaign,
        comparison,
    } = data;
    let form_query = query.clone();
    let body = match comparison {
        Some(view) => view! { <Comparison view query paging /> }.into_any(),
        None => view! { <EmptySelection query=query.clone() /> }.into_any(),
    };
    view! {
        <FilterForm options query=form_query />
        {campaign.map(|campaign| view! { <CampaignNotice campaign /> })}
        <p><a href="/campagnes" data-testid="to-campaigns">{tr!(campaigns_title)}</a></p>
        {body}
    }
}

/// The campaign compared: its window, what counts, progress from which
/// campaign, and every assessment set apart with the reason.
#[component]
fn CampaignNotice(campaign: CampaignShown) -> impl IntoView {
    let CampaignShown {
        id: _,
        label,
        starts,
        ends,
        verification_required,
        eligible,
        previous,
        set_apart,
    } = campaign;
    let apart = set_apart.len();
    view! {
        <section class="cmp-campaign" aria-labelledby="cmp-campaign-title" data-testid="compare-campaign">
            <h2 id="cmp-campaign-title">{tr!(campaign)} " " {label}</h2>
            <p>
                {starts} " – " {ends}
                " · " <strong data-testid="campaign-eligible">{eligible}</strong> " " {tr!(cmp_eligible)}
                {verification_required.then(|| view! { " · " <span class="tag" data-testid="campaign-verification">{tr!(cmp_verification_required)}</span> })}
                {previous.map(|p| view! { " · " {tr!(cmp_progress_from)} " " {p} })}
            </p>
            {(apart > 0).then(|| view! {
                <details class="notice" data-testid="compare-set-apart">
                    <summary>
                        <strong data-testid="set-apart-count">{apart}</strong> " " {tr!(cmp_set_apart)}
                    </summary>
                    <ul>
                        {set_apart.into_iter().map(|a| view! {
                            <li data-testid="set-apart-row">
                                <a href=format!("/evaluations/{}", a.id)>{a.commune}</a>
                                <span class="muted">" · " {a.cercle} " · " {a.region}</span>
                                " — " <IneligibleText reason=a.reason />
                            </li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </section>
    }
}

/// Why an assessment does not count, said in the page's language.
#[component]
pub fn IneligibleText(
    /// The reason.
    reason: Ineligible,
) -> impl IntoView {
    match reason {
        Ineligible::Future => tr!(ineligible_future).into_any(),
        Ineligible::OutsideWindow => tr!(ineligible_outside_window).into_any(),
        Ineligible::InProgress => tr!(ineligible_in_progress).into_any(),
        Ineligible::Provisional(why) => {
            view! { {tr!(ineligible_provisional)} " « " {why} " »" }.into_any()
        }
        Ineligible::NotVerified => tr!(ineligible_not_verified).into_any(),
    }
}

#[component]
fn GrantsBody(data: GrantsPageData, query: CompareQuery, grants: GrantQuery) -> impl IntoView {
    let back = href("/comparer", &query.pairs());
    let GrantsPageData {
        options,
        campaign,
        selection,
    } = data;
    let _ = options;
    let body = match selection {
        Some(GrantSelection {
            rubric_title,
            rubric_key,
            communes,
            grants: simulation,
        }) => view! {
            <p data-testid="grant-selection">
                <strong data-testid="compare-count">{communes}</strong> " " {tr!(cmp_communes_compared)}
                " · " {rubric_title} " (" <code>{rubric_key}</code> ")"
            </p>
            <section aria-labelledby="grant-form-title" class="cmp-section" id="simulation">
                <h2 id="grant-form-title">{tr!(cmp_grants_rules)}</h2>
                <GrantForm query=query.clone() grants=grants.clone() />
            </section>
            {simulation.map(|s| match s {
                Ok(result) => view! { <GrantResult result query=query.clone() grants=grants.clone() /> }.into_any(),
                Err(e) => view! { <GrantError error=e /> }.into_any(),
            })}
        }
        .into_any(),
        None => view! { <EmptySelection query=query.clone() /> }.into_any(),
    };
    view! {
        <p class="breadcrumb"><a href=back data-testid="back-to-compare">{tr!(cmp_back_to_compare)}</a></p>
        {campaign.map(|campaign| view! { <CampaignNotice campaign /> })}
        {body}
    }
}

/// The GET form of the filters.
#[component]
fn FilterForm(options: FilterOptions, query: CompareQuery) -> impl IntoView {
    let rubric = query.rubric_id().to_owned();
    let region = query.region.clone();
    let cercle = query.cercle.clone();
    let campaign = query.campaign.clone();
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
                {tr!(campaign)}
                <select name="campaign">
                    <option value="">{tr!(cmp_latest_round)}</option>
                    {options.campaigns.into_iter().map(|(id, label)| {
                        let selected = campaign.as_deref() == Some(id.as_str());
                        view! { <option value=id selected=selected>{label}</option> }
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
    let filters: Vec<String> = [&query.region, &query.cercle, &query.campaign]
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
fn Comparison(view: ComparisonView, query: CompareQuery, paging: ComparePaging) -> impl IntoView {
    let provisional_count = view.communes.iter().filter(|c| c.provisional).count();
    let count: usize = view.areas.iter().map(|(_, n)| n).sum();
    let pairs = query.pairs();
    let csv = href("/comparer/export.csv", &pairs);
    let xlsx = href("/comparer/export.xlsx", &pairs);
    let grants_link = href("/comparer/subventions", &pairs);
    // What every link of a long table keeps: the filters and the other
    // tables' page and order.
    let mut state: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    state.extend(paging.ranking.pairs(ComparePaging::RANKING));
    state.extend(paging.progress.pairs(ComparePaging::PROGRESS));
    let area_key = if query.region.is_some() {
        "cercle"
    } else {
        "region"
    };
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
        areas,
        ranking,
        progress_charts,
        progress,
        ranking_paging,
        progress_paging,
        reform,
        redeployment,
    } = view;
    let listed = !communes.is_empty();
    let area_links: Vec<(String, String, usize)> = areas
        .into_iter()
        .map(|(area, n)| {
            let mut p = pairs.clone();
            p.retain(|(k, _)| *k != "cercle");
            p.push((area_key, area.clone()));
            (area, href("/comparer", &p), n)
        })
        .collect();
    view! {
        <nav aria-labelledby="cmp-sections" class="cmp-toc" data-testid="compare-sections">
            <h2 id="cmp-sections" class="visually-hidden">{tr!(cmp_sections)}</h2>
            <ul>
                <li><a href="#cmp-summary">{tr!(cmp_summary)}</a></li>
                <li><a href="#cmp-basic">{tr!(cmp_basic_title)}</a></li>
                <li><a href="#cmp-distributions">{tr!(cmp_distributions_title)}</a></li>
                <li><a href="#cmp-heatmap">{tr!(cmp_heatmap_title)}</a></li>
                <li><a href="#cmp-ranking">{tr!(cmp_ranking_title)}</a></li>
                <li><a href="#cmp-progress">{tr!(cmp_progress_title)}</a></li>
                <li><a href="#cmp-reform">{tr!(cmp_reform_title)}</a></li>
                <li><a href="#cmp-grants">{tr!(cmp_grants_title)}</a></li>
            </ul>
        </nav>
        <section aria-labelledby="cmp-summary" class="cmp-section">
            <h2 id="cmp-summary">{tr!(cmp_summary)}</h2>
            <p data-testid="compare-summary">
                <strong data-testid="compare-count">{count}</strong> " " {tr!(cmp_communes_compared)}
                " · " {rubric_title} " (" <code>{rubric_key}</code> ")"
                " · " {tr!(cmp_rounds)} " " {rounds.join(", ")}
                " · " {tr!(cmp_basic_level)} " " <strong>{basic}</strong>
            </p>
            {(provisional_count > 0).then(|| view! {
                <p class="notice" data-testid="compare-provisional">
                    <span class="tag">{tr!(provisional)}</span> " " {provisional_count} " " {tr!(cmp_provisional_note)}
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
            {(area_links.len() > 1 || !listed).then(|| view! {
                <h3>{tr!(cmp_by_area)}</h3>
                <ul class="cmp-areas" data-testid="compare-areas">
                    {area_links.into_iter().map(|(area, link, n)| view! {
                        <li><a href=link>{area}</a> " (" {n} ")"</li>
                    }).collect_view()}
                </ul>
            })}
            {if listed {
                view! {
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
                }
                .into_any()
            } else {
                view! {
                    <p class="muted" data-testid="compare-communes-long">
                        {tr!(cmp_full_list_hint, max = move || COMMUNES_LISTED)}
                    </p>
                }
                .into_any()
            }}
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
            <Heatmap heatmap />
        </section>

        <section aria-labelledby="cmp-ranking" class="cmp-section">
            <h2 id="cmp-ranking">{tr!(cmp_ranking_title)}</h2>
            <p class="muted">{tr!(cmp_ranking_intro)}</p>
            <PagedTable table=ranking paging=ranking_paging prefix=ComparePaging::RANKING
                path="/comparer" state=state.clone() />
        </section>

        <section aria-labelledby="cmp-progress" class="cmp-section">
            <h2 id="cmp-progress">{tr!(cmp_progress_title)}</h2>
            {match progress {
                Some(table) => view! {
                    {progress_charts.into_iter().enumerate().map(|(i, chart)| {
                        let testid = format!("progress-chart-{i}");
                        view! { <Chart chart class="chart fit" testid /> }
                    }).collect_view()}
                    <PagedTable table paging=progress_paging prefix=ComparePaging::PROGRESS
                        path="/comparer" state=state.clone() />
                }.into_any(),
                None => view! { <p class="muted" data-testid="progress-none">{tr!(cmp_progress_none)}</p> }.into_any(),
            }}
        </section>

        <section aria-labelledby="cmp-reform" class="cmp-section">
            <h2 id="cmp-reform">{tr!(cmp_reform_title)}</h2>
            <p class="muted">{tr!(cmp_reform_intro)}</p>
            <Reform reform rubric=query.rubric_id().to_owned() />
            {redeployment.map(|r| view! {
                <h3>{tr!(cmp_redeployment_title)}</h3>
                <p class="muted">{tr!(cmp_redeployment_intro)}</p>
                <Reform reform=r rubric=crate::api::compare::REDEPLOYMENT_RUBRIC.to_owned() />
            })}
        </section>

        <section aria-labelledby="cmp-grants" class="cmp-section">
            <h2 id="cmp-grants">{tr!(cmp_grants_title)}</h2>
            <p class="muted">{tr!(cmp_grants_intro)}</p>
            <GrantForm query=query.clone() grants=GrantQuery::default() />
            <p><a href=grants_link data-testid="open-grants">{tr!(cmp_grants_open)}</a></p>
        </section>
    }
}

/// The heatmap as a table: one row per commune (its name stays in sight
/// while the levels scroll sideways on a phone), one column per
/// competency, each cell the level's code on its colour; the legend and
/// the competencies' titles under it.
#[component]
fn Heatmap(heatmap: HeatmapView) -> impl IntoView {
    let HeatmapView {
        columns,
        rows,
        levels,
        caption,
    } = heatmap;
    let titles = columns.clone();
    view! {
        <div class="table-scroll heatmap-scroll" role="region" aria-labelledby="heatmap-caption" tabindex="0">
            <table class="heatmap" id="heatmap-table" data-testid="heatmap">
                <caption id="heatmap-caption">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr!(cmp_heat_commune)}</th>
                        {columns.into_iter().map(|(id, title)| view! {
                            <th scope="col" class="heat-col" title=title>{id}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|(name, detail, cells)| view! {
                        <tr>
                            <th scope="row" title=detail>{name}</th>
                            {cells.into_iter().map(|c| {
                                let class = format!("heat {}", c.class);
                                view! { <td class=class>{c.text}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <div class="heat-legend" data-testid="heatmap-legend">
            <p>
                {tr!(cmp_heat_legend)} " "
                {levels.into_iter().map(|(code, class)| {
                    let class = format!("heat {class}");
                    view! { <span class=class>{code}</span> " " }
                }).collect_view()}
                <span class="heat na">"NA"</span> " " {tr!(cmp_heat_na)} " · "
                <span class="heat ni">"D*"</span> " " {tr!(cmp_heat_ni)} " · "
                <span class="heat none">"—"</span> " " {tr!(cmp_heat_unanswered)}
            </p>
            <details>
                <summary>{tr!(cmp_heat_columns)}</summary>
                <dl class="heat-titles">
                    {titles.into_iter().map(|(id, title)| view! { <dt>{id}</dt><dd>{title}</dd> }).collect_view()}
                </dl>
            </details>
        </div>
    }
}

/// `path?pairs#anchor`, every value encoded.
fn link(path: &str, pairs: &[(String, String)], anchor: &str) -> String {
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    if query.is_empty() {
        format!("{path}#{anchor}")
    } else {
        format!("{path}?{}#{anchor}", query.join("&"))
    }
}

/// A long table shown one page at a time: column headers are links that
/// sort by that column (again: the other way), and links under it go to
/// the other pages; all plain GET links that keep the rest of the page's
/// state (`state`) and come back to the table.
#[component]
fn PagedTable(
    table: TableView,
    paging: Paging,
    prefix: &'static str,
    path: &'static str,
    state: Vec<(String, String)>,
) -> impl IntoView {
    let anchor = table.id.clone();
    let own = format!("{prefix}_");
    let base: Vec<(String, String)> = state
        .into_iter()
        .filter(|(k, _)| !k.starts_with(&own))
        .collect();
    let to = {
        let (base, anchor) = (base.clone(), anchor.clone());
        move |q: &TableQuery| {
            let mut p = base.clone();
            p.extend(q.pairs(prefix));
            link(path, &p, &anchor)
        }
    };
    let sort_links: Vec<(String, String, Option<&'static str>)> = table
        .columns
        .iter()
        .map(|c| {
            let current = paging.sort.as_deref() == Some(c.key.as_str());
            let descending = current && !paging.descending;
            let href = to(&TableQuery {
                page: 1,
                sort: Some(c.key.clone()),
                descending,
            });
            let aria = current.then_some(if paging.descending {
                "descending"
            } else {
                "ascending"
            });
            (c.key.clone(), href, aria)
        })
        .collect();
    let at = |page: usize| {
        to(&TableQuery {
            page,
            sort: paging.sort.clone(),
            descending: paging.descending,
        })
    };
    let (page, pages) = (paging.page, paging.pages);
    let first = (page > 1).then(|| at(1));
    let previous = (page > 1).then(|| at(page - 1));
    let next = (page < pages).then(|| at(page + 1));
    let last = (page < pages).then(|| at(pages));
    let unsorted = paging.sort.is_some().then(|| to(&TableQuery::default()));
    let (row_first, row_last, rows) = (paging.first, paging.last, paging.rows);
    let nav_id = format!("{anchor}-pages");
    let label_id = nav_id.clone();
    let testid = nav_id.clone();
    view! {
        <DataTable table sort_links />
        <nav class="pager" aria-labelledby=nav_id data-testid=testid>
            <p id=label_id>
                {tr!(cmp_page_of, page = move || page, pages = move || pages, first = move || row_first, last = move || row_last, rows = move || rows)}
            </p>
            <ul>
                {first.map(|h| view! { <li><a href=h rel="first">{tr!(cmp_first_page)}</a></li> })}
                {previous.map(|h| view! { <li><a href=h rel="prev" data-testid="page-prev">{tr!(cmp_previous_page)}</a></li> })}
                {next.map(|h| view! { <li><a href=h rel="next" data-testid="page-next">{tr!(cmp_next_page)}</a></li> })}
                {last.map(|h| view! { <li><a href=h rel="last">{tr!(cmp_last_page)}</a></li> })}
                {unsorted.map(|h| view! { <li><a href=h data-testid="sort-reset">{tr!(cmp_sort_reset)}</a></li> })}
            </ul>
        </nav>
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
fn DataTable(
    table: TableView,
    /// Per column: its key, the link that sorts by it, and `aria-sort`
    /// when the table is sorted by it. Empty: headers are plain text.
    #[prop(optional)]
    sort_links: Vec<(String, String, Option<&'static str>)>,
) -> impl IntoView {
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
                            match sort_links.iter().find(|(k, _, _)| *k == c.key) {
                                Some((_, link, aria)) => {
                                    let mark = match *aria {
                                        Some("ascending") => " ▲",
                                        Some(_) => " ▼",
                                        None => "",
                                    };
                                    view! {
                                        <th scope="col" class=class data-col=c.key aria-sort=*aria>
                                            <a href=link.clone() class="sort">{c.label}<span aria-hidden="true">{mark}</span></a>
                                        </th>
                                    }
                                    .into_any()
                                }
                                None => view! { <th scope="col" class=class data-col=c.key>{c.label}</th> }.into_any(),
                            }
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

/// Reform needs of one rubric's assessments; each region's own needs are
/// a link away (its compare page), not repeated here.
#[component]
fn Reform(reform: ReformView, rubric: String) -> impl IntoView {
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
            <p>{tr!(cmp_reform_by_region)}</p>
            <ul class="cmp-areas">
                {regions.into_iter().map(|(region, n)| {
                    let link = format!("{}#cmp-reform", href("/comparer", &[("rubric", rubric.clone()), ("region", region.clone())]));
                    view! { <li><a href=link>{region}</a> " (" {n} ")"</li> }
                }).collect_view()}
            </ul>
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
        <form method="get" action="/comparer/subventions#grant-result" class="grant-form" data-testid="grant-form">
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
    let state: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let GrantView {
        table,
        pool,
        distributed,
        undistributed,
        total,
        eligible,
        communes,
        excluded,
        excluded_count,
        paging,
    } = result;
    view! {
        <div class="grant-result" id="grant-result" data-testid="grant-result" role="status">
            <p>
                {tr!(cmp_pool)} " " <strong data-testid="grant-pool-shown">{pool}</strong>
                " · " {tr!(cmp_eligible)} " " {eligible} " / " {communes}
                " · " {tr!(cmp_distributed)} " " <strong data-testid="grant-distributed">{distributed}</strong>
                " · " {tr!(cmp_undistributed)} " " <span data-testid="grant-undistributed">{undistributed}</span>
            </p>
            <p class="muted">{tr!(cmp_grants_method)} " " {tr!(cmp_total)} " " <span data-testid="grant-total">{total}</span></p>
            <PagedTable table paging prefix=ComparePaging::GRANTS path="/comparer/subventions" state />
            {(!excluded.is_empty()).then(|| view! {
                <h3>{tr!(cmp_excluded)}</h3>
                <p class="muted">{tr!(cmp_excluded_page, count = move || excluded_count)}</p>
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
