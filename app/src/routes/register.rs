//! The commune register (administrators): `/admin/communes` (every
//! commune, a form to add one), `/admin/communes/{id}` (edit, deactivate,
//! merge, its territory over time) and `/admin/import-communes` (a CSV
//! file, uploaded or pasted, previewed with every problem before it is
//! applied). Plain forms posting to `api::register` and to the plain
//! import route; everything works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::register::{
    COMMUNE_COLUMNS, Change, CommuneEdit, IMPORT_BYTES, ImportPreview, RegisterLine, RegisterPage,
    TERRITORY_COLUMNS, load_commune_edit, load_import_preview, load_register,
};
use crate::tr;
use crate::ui::common::{ErrorBox, Loading, ProblemText};

/// `/admin/communes[?importe=C-P]`.
#[component]
pub fn RegisterAdminPage() -> impl IntoView {
    let query = use_query_map();
    let imported = move || query.with(|q| q.get("importe"));
    let page = Resource::new(|| (), |_| load_register());
    view! {
        <h1 data-testid="page-title">{tr!(register_title)}</h1>
        {imported().and_then(|i| {
            let (c, p) = i.split_once('-')?;
            let (c, p) = (c.to_owned(), p.to_owned());
            Some(view! {
                <p class="notice" data-testid="import-applied">
                    {tr!(register_imported)} " " {c} " · " {tr!(register_periods)} " " {p}
                </p>
            })
        })}
        <p><a href="/admin/import-communes" data-testid="import-link">{tr!(register_import_title)}</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <RegisterView page=p /> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The fields of a commune, as a form shows them (`id` only for a new one).
#[component]
fn CommuneFields(
    /// The commune shown (empty for a new one).
    line: Option<RegisterLine>,
) -> impl IntoView {
    let c = line.map(|l| l.commune);
    let get = |f: fn(&capacity::Commune) -> String| c.as_ref().map(f).unwrap_or_default();
    let is_new = c.is_none();
    let kind_cercle = c.as_ref().is_some_and(|c| c.kind == capacity::Kind::Cercle);
    let setting = c.as_ref().and_then(|c| c.setting);
    view! {
        {is_new.then(|| view! {
            <label>
                {tr!(register_id)}
                <input type="text" name="id" required maxlength="80" pattern="[A-Za-z0-9_.\\-]+"
                    autocapitalize="none" spellcheck="false" />
            </label>
        })}
        <label>
            {tr!(commune)}
            <input type="text" name="name" required maxlength=crate::view::limits::NAME value=get(|c| c.name.clone()) />
        </label>
        <label>
            {tr!(region)}
            <input type="text" name="region" required maxlength=crate::view::limits::NAME value=get(|c| c.region.clone()) />
        </label>
        <label>
            {tr!(cercle)}
            <input type="text" name="cercle" required maxlength=crate::view::limits::NAME value=get(|c| c.cercle.clone()) />
        </label>
        <label>
            {tr!(register_kind)}
            <select name="kind">
                <option value="commune" selected=!kind_cercle>{tr!(commune)}</option>
                <option value="cercle" selected=kind_cercle>{tr!(cercle)}</option>
            </select>
        </label>
        <label>
            {tr!(population)}
            <input type="text" name="population" inputmode="numeric" maxlength="12"
                value=get(|c| c.population.map(|p| p.to_string()).unwrap_or_default()) />
        </label>
        <label>
            {tr!(register_setting)}
            <select name="setting">
                <option value="" selected=setting.is_none()>{tr!(register_unknown)}</option>
                <option value="urban" selected=setting == Some(capacity::Setting::Urban)>{tr!(register_urban)}</option>
                <option value="rural" selected=setting == Some(capacity::Setting::Rural)>{tr!(register_rural)}</option>
            </select>
        </label>
        <label>
            {tr!(register_transferred)}
            <input type="text" name="transferred" maxlength="2000" value=get(|c| c.transferred.join(", ")) />
        </label>
    }
}

fn status_tag(line: &RegisterLine) -> AnyView {
    match (&line.merged_into, line.active) {
        (Some(into), _) => {
            let into = into.clone();
            view! { <span class="tag" data-testid="merged-into">{tr!(register_merged_into)} " " {into}</span> }.into_any()
        }
        (None, false) => {
            view! { <span class="tag critical">{tr!(register_inactive)}</span> }.into_any()
        }
        (None, true) => view! { <span class="tag">{tr!(register_active)}</span> }.into_any(),
    }
}

#[component]
fn RegisterView(page: RegisterPage) -> impl IntoView {
    view! {
        <section aria-labelledby="new-commune">
            <h2 id="new-commune">{tr!(register_new)}</h2>
            <form method="post" action="/api/create_commune" class="filters" data-testid="new-commune-form">
                <CommuneFields line=None />
                <button type="submit" class="primary">{tr!(register_add)}</button>
            </form>
        </section>
        <h2>{tr!(communes_title)} " (" {page.communes.len()} ")"</h2>
        <div class="table-scroll" tabindex="0">
            <table data-testid="register">
                <thead>
                    <tr>
                        <th scope="col">{tr!(commune)}</th>
                        <th scope="col">{tr!(region)}</th>
                        <th scope="col">{tr!(cercle)}</th>
                        <th scope="col" class="num">{tr!(population)}</th>
                        <th scope="col">{tr!(status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page.communes.into_iter().map(|l| {
                        let href = format!("/admin/communes/{}", l.commune.id);
                        let tag = status_tag(&l);
                        view! {
                            <tr data-testid=format!("register-{}", l.commune.id)>
                                <td><a href=href>{l.commune.name.clone()}</a> " " <code>{l.commune.id.clone()}</code></td>
                                <td>{l.commune.region.clone()}</td>
                                <td>{l.commune.cercle.clone()}</td>
                                <td class="num">{l.commune.population.map(|p| p.to_string()).unwrap_or_default()}</td>
                                <td>{tag}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `/admin/communes/{id}`.
#[component]
pub fn CommuneEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let edit = Resource::new(id, load_commune_edit);
    view! {
        <nav class="breadcrumb" aria-label="breadcrumb">
            <a href="/admin/communes">{tr!(register_title)}</a>
        </nav>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match edit.await {
                    Ok(e) => view! { <CommuneEditView edit=e /> }.into_any(),
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(register_title)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CommuneEditView(edit: CommuneEdit) -> impl IntoView {
    let line = edit.line.clone();
    let id = line.commune.id.clone();
    let version = line.version.to_string();
    let tag = status_tag(&line);
    let merged = line.merged_into.is_some();
    view! {
        <h1 data-testid="page-title">{line.commune.name.clone()}</h1>
        <p class="muted"><code>{id.clone()}</code> " · " {tag} " · " {line.assessments} " " {tr!(assessments_count)}
            " · " <a href=format!("/communes/{id}")>{tr!(assessments_title)}</a></p>
        <section aria-labelledby="edit-commune">
            <h2 id="edit-commune">{tr!(register_edit)}</h2>
            <form method="post" action="/api/update_commune" class="filters" data-testid="edit-commune-form">
                <input type="hidden" name="id" value=id.clone() />
                <input type="hidden" name="version" value=version.clone() />
                <CommuneFields line=Some(line.clone()) />
                <button type="submit" class="primary" data-testid="save-commune">{tr!(save)}</button>
            </form>
        </section>
        <section aria-labelledby="territory">
            <h2 id="territory">{tr!(register_territory)}</h2>
            {if edit.territories.is_empty() {
                view! { <p class="muted" data-testid="territory-none">{tr!(register_territory_none)}</p> }.into_any()
            } else {
                view! {
                    <table data-testid="territory">
                        <thead><tr>
                            <th scope="col">{tr!(register_from)}</th>
                            <th scope="col">{tr!(register_to)}</th>
                            <th scope="col">{tr!(region)}</th>
                            <th scope="col">{tr!(cercle)}</th>
                            <th scope="col">{tr!(register_source)}</th>
                        </tr></thead>
                        <tbody>
                            {edit.territories.into_iter().map(|t| view! {
                                <tr>
                                    <td>{t.valid_from}</td>
                                    <td>{t.valid_to.unwrap_or_else(|| "…".to_owned())}</td>
                                    <td>{t.region}</td>
                                    <td>{t.cercle}</td>
                                    <td>{t.source}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        {(!edit.merged.is_empty()).then(|| view! {
            <section aria-labelledby="merged">
                <h2 id="merged">{tr!(register_merged_here)}</h2>
                <ul data-testid="merged-here">
                    {edit.merged.into_iter().map(|(mid, name)| view! {
                        <li><a href=format!("/communes/{mid}")>{name}</a> " " <code>{mid.clone()}</code></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!merged).then(|| view! {
            <section aria-labelledby="status">
                <h2 id="status">{tr!(status)}</h2>
                <form method="post" action="/api/set_commune_active" class="inline" data-testid="active-form">
                    <input type="hidden" name="id" value=id.clone() />
                    <input type="hidden" name="version" value=version.clone() />
                    <input type="hidden" name="active" value=(!line.active).to_string() />
                    <button type="submit">{if line.active { tr!(register_deactivate).into_any() } else { tr!(register_activate).into_any() }}</button>
                </form>
                <form method="post" action="/api/merge_commune" class="filters" data-testid="merge-form">
                    <input type="hidden" name="id" value=id.clone() />
                    <input type="hidden" name="version" value=version.clone() />
                    <label>
                        {tr!(register_merge_into)}
                        <select name="into" required>
                            <option value="">"—"</option>
                            {edit.targets.into_iter().map(|(tid, name)| view! {
                                <option value=tid.clone()>{name} " (" {tid.clone()} ")"</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit">{tr!(register_merge)}</button>
                </form>
                <p class="muted">{tr!(register_merge_help)}</p>
            </section>
        })}
    }
}

/// `/admin/import-communes[?apercu=TOKEN]`.
#[component]
pub fn RegisterImportPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("apercu")).unwrap_or_default();
    // Asked even without a token: it is also the page's access check.
    let preview = Resource::new(token, load_import_preview);
    view! {
        <nav class="breadcrumb" aria-label="breadcrumb">
            <a href="/admin/communes">{tr!(register_title)}</a>
        </nav>
        <h1 data-testid="page-title">{tr!(register_import_title)}</h1>
        <p>{tr!(register_import_help)}</p>
        // Listed with spaces so that a small screen can wrap them (the
        // reader trims each header cell, so either way is read).
        <p><code>{COMMUNE_COLUMNS.join(", ")}</code></p>
        <p><code>{TERRITORY_COLUMNS.join(", ")}</code></p>
        <p class="muted">{tr!(register_import_limit, kib = move || IMPORT_BYTES / 1024)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(Some(p)) => view! { <PreviewView preview=p /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                preview.await.is_ok().then(|| view! { <ImportForm /> })
            })}
        </Suspense>
    }
}

/// The import form: a file to upload, or text to paste.
#[component]
fn ImportForm() -> impl IntoView {
    view! {
        <form method="post" action="/admin/import-communes" enctype="multipart/form-data" data-testid="import-form">
            <label>
                {tr!(register_import_file)}
                <input type="file" name="file" accept=".csv,text/csv" />
            </label>
            <label>
                {tr!(register_import_text)}
                <textarea name="text" rows="8" spellcheck="false"></textarea>
            </label>
            <button type="submit" class="primary">{tr!(register_preview)}</button>
        </form>
    }
}

#[component]
fn PreviewView(preview: ImportPreview) -> impl IntoView {
    let clean = preview.problems.is_empty();
    view! {
        <section aria-labelledby="preview" data-testid="import-preview">
            <h2 id="preview">{tr!(register_preview)}</h2>
            {if clean {
                view! {
                    <p class="notice" data-testid="import-clean">{tr!(register_preview_clean)}</p>
                    <form method="post" action="/api/apply_register_import" data-testid="apply-form">
                        <input type="hidden" name="token" value=preview.token.clone() />
                        <button type="submit" class="primary" data-testid="apply-import">{tr!(register_apply)}</button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <p class="error" role="alert">{tr!(register_preview_problems)}</p>
                    <table data-testid="import-problems">
                        <thead><tr>
                            <th scope="col">{tr!(register_row)}</th>
                            <th scope="col">{tr!(register_column)}</th>
                            <th scope="col">{tr!(register_value)}</th>
                            <th scope="col">{tr!(register_problem)}</th>
                        </tr></thead>
                        <tbody>
                            {preview.problems.into_iter().map(|p| view! {
                                <tr data-testid="import-problem">
                                    <td class="num">{p.row}</td>
                                    <td><code>{p.column}</code></td>
                                    <td>{p.value}</td>
                                    <td><ProblemText problem=p.problem /></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <table data-testid="import-rows">
                <thead><tr>
                    <th scope="col">{tr!(register_row)}</th>
                    <th scope="col">"id"</th>
                    <th scope="col">{tr!(register_change)}</th>
                    <th scope="col">{tr!(register_detail)}</th>
                </tr></thead>
                <tbody>
                    {preview.rows.into_iter().map(|r| view! {
                        <tr>
                            <td class="num">{r.row}</td>
                            <td><code>{r.id}</code></td>
                            <td>{match r.change {
                                Change::New => tr!(register_change_new).into_any(),
                                Change::Changed => tr!(register_change_changed).into_any(),
                                Change::Same => tr!(register_change_same).into_any(),
                            }}</td>
                            <td>{r.detail}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
