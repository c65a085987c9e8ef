//! Accounts: `/connexion` (log in; JavaScript optional), `/mot-de-passe`
//! (set a password from a one-time link) and `/admin/comptes` (the
//! administrators' page: accounts, roles, links, what visitors may see).
//! Plain forms posting to the server functions of `api::accounts`.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::{
    AccessRole, AccountLine, AccountsPage, Scope, load_accounts, load_password_link, local_path, me,
};
use crate::tr;
use crate::ui::common::{ErrorBox, Loading};

/// The typed value of a field of a refused form, kept under `?erreur=`.
fn kept_field(name: &'static str) -> Resource<String> {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("erreur")).unwrap_or_default();
    Resource::new(token, move |token| async move {
        crate::api::kept_form_error(token)
            .await
            .map(|f| f.typed(name))
            .unwrap_or_default()
    })
}

/// `/connexion[?retour=PATH]`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let back = move || local_path(&query.with(|q| q.get("retour")).unwrap_or_default());
    let typed = kept_field("name");
    let who = me();
    view! {
        <h1 data-testid="page-title">{tr!(login_title)}</h1>
        {who.map(|m| view! {
            <p class="notice" data-testid="logged-in-as">{tr!(logged_in_as)} " " <strong>{m.display_name}</strong></p>
        })}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let name = typed.await;
                view! {
                    <form method="post" action="/api/log_in" class="login" data-testid="login-form">
                        <input type="hidden" name="back" value=back() />
                        <label>
                            {tr!(login_name)}
                            <input type="text" name="name" required autocomplete="username"
                                autocapitalize="none" spellcheck="false" maxlength="60" value=name />
                        </label>
                        <label>
                            {tr!(password)}
                            <input type="password" name="password" required autocomplete="current-password" maxlength="200" />
                        </label>
                        <button type="submit" class="primary" data-testid="login-submit">{tr!(login_action)}</button>
                    </form>
                    <p class="muted">{tr!(login_help)}</p>
                }
            })}
        </Suspense>
    }
}

/// `/mot-de-passe?jeton=TOKEN`.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("jeton")).unwrap_or_default();
    let account = Resource::new(token, load_password_link);
    view! {
        <h1 data-testid="page-title">{tr!(password_title)}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(name)) => view! {
                        <p>{tr!(password_for)} " " <strong data-testid="password-account">{name.clone()}</strong></p>
                        <form method="post" action="/api/set_password" class="login" data-testid="password-form">
                            <input type="hidden" name="token" value=token() />
                            <input type="text" name="username" value=name autocomplete="username" hidden />
                            <label>
                                {tr!(password_new)}
                                <input type="password" name="password" required minlength="10" maxlength="200" autocomplete="new-password" />
                            </label>
                            <label>
                                {tr!(password_confirm)}
                                <input type="password" name="confirm" required minlength="10" maxlength="200" autocomplete="new-password" />
                            </label>
                            <button type="submit" class="primary" data-testid="password-submit">{tr!(save)}</button>
                        </form>
                        <p class="muted">{tr!(password_rules)}</p>
                    }.into_any(),
                    Ok(None) => view! { <p class="error" role="alert" data-testid="password-link-invalid">{tr!(password_link_invalid)}</p> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/admin/comptes[?lien=TOKEN]`.
#[component]
pub fn AccountsAdminPage() -> impl IntoView {
    let query = use_query_map();
    let link = move || query.with(|q| q.get("lien")).unwrap_or_default();
    let page = Resource::new(link, load_accounts);
    view! {
        <h1 data-testid="page-title">{tr!(accounts_title)}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <AccountsView page=p /> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn role_label(role: AccessRole) -> AnyView {
    match role {
        AccessRole::Admin => tr!(access_admin).into_any(),
        AccessRole::Planner => tr!(access_planner).into_any(),
        AccessRole::Facilitator => tr!(access_facilitator).into_any(),
        AccessRole::Rater => tr!(access_rater).into_any(),
        AccessRole::Verifier => tr!(access_verifier).into_any(),
        AccessRole::Observer => tr!(access_observer).into_any(),
    }
}

fn scope_label(scope: &Scope) -> AnyView {
    match scope {
        Scope::National => tr!(scope_national).into_any(),
        Scope::Region(r) => view! { {tr!(region)} " " {r.clone()} }.into_any(),
        Scope::Cercle(c) => view! { {tr!(cercle)} " " {c.clone()} }.into_any(),
        Scope::Commune(id) => view! { {tr!(commune)} " " {id.clone()} }.into_any(),
    }
}

/// The role and territory choices of a form (a territory is typed as
/// `kind:value`, e.g. `region:Mopti`, chosen from one list).
#[component]
fn RoleFields(page: AccountsPage) -> impl IntoView {
    view! {
        <label>
            {tr!(access_role)}
            <select name="role" required>
                {AccessRole::ALL.into_iter().map(|r| view! { <option value=r.code()>{role_label(r)}</option> }).collect_view()}
            </select>
        </label>
        <label>
            {tr!(access_scope_kind)}
            <select name="scope_kind" required>
                <option value="national">{tr!(scope_national)}</option>
                <option value="region">{tr!(region)}</option>
                <option value="cercle">{tr!(cercle)}</option>
                <option value="commune">{tr!(commune)}</option>
            </select>
        </label>
        <label>
            {tr!(access_scope)}
            <input type="text" name="scope" list="territories" maxlength="120" />
        </label>
        <datalist id="territories">
            {page.regions.iter().map(|(r, cercles)| view! {
                <option value=r.clone()>{r.clone()}</option>
                {cercles.iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
            }).collect_view()}
            {page.communes.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
        </datalist>
    }
}

#[component]
fn AccountsView(page: AccountsPage) -> impl IntoView {
    let public = page.public;
    let link = page.link.clone();
    let accounts = page.accounts.clone();
    view! {
        {link.map(|l| view! {
            <section class="notice" id="lien" data-testid="password-link">
                <p>{tr!(link_made)} " " <strong>{l.account}</strong></p>
                <p><code data-testid="password-link-path">{l.path}</code></p>
                <p class="muted">{tr!(link_valid_until)} " " {l.expires_at}</p>
            </section>
        })}
        <section aria-labelledby="new-account">
            <h2 id="new-account">{tr!(account_new)}</h2>
            <form method="post" action="/api/create_account" class="filters" data-testid="new-account-form">
                <label>
                    {tr!(login_name)}
                    <input type="text" name="name" required maxlength="60" autocapitalize="none" spellcheck="false" />
                </label>
                <label>
                    {tr!(display_name)}
                    <input type="text" name="display_name" required maxlength=crate::view::limits::NAME />
                </label>
                <RoleFields page=page.clone() />
                <button type="submit" class="primary" data-testid="create-account">{tr!(account_create)}</button>
            </form>
        </section>
        <section aria-labelledby="accounts-list">
            <h2 id="accounts-list">{tr!(accounts_list)}</h2>
            <ul class="cards" data-testid="accounts">
                {accounts.into_iter().map(|a| view! { <AccountCard a page=page.clone() /> }).collect_view()}
            </ul>
        </section>
        <section aria-labelledby="public-pages">
            <h2 id="public-pages">{tr!(public_pages_title)}</h2>
            <form method="post" action="/api/set_public_pages" data-testid="public-pages-form">
                <label><input type="checkbox" name="rubrics" value="on" checked=public.rubrics /> " " {tr!(public_rubrics)}</label>
                <label><input type="checkbox" name="results" value="on" checked=public.results /> " " {tr!(public_results)}</label>
                <label><input type="checkbox" name="compare" value="on" checked=public.compare /> " " {tr!(public_compare)}</label>
                <button type="submit">{tr!(save)}</button>
            </form>
        </section>
    }
}

#[component]
fn AccountCard(a: AccountLine, page: AccountsPage) -> impl IntoView {
    let id = a.id.to_string();
    view! {
        <li class="card" data-testid=format!("account-{}", a.name)>
            <p>
                <strong>{a.display_name.clone()}</strong> " (" <code>{a.name.clone()}</code> ")"
                {a.demo.then(|| view! { " " <span class="tag">{tr!(demo)}</span> })}
                {(!a.active).then(|| view! { " " <span class="tag critical">{tr!(account_inactive)}</span> })}
                {(!a.has_password).then(|| view! { " " <span class="tag">{tr!(account_no_password)}</span> })}
            </p>
            <ul>
                {a.grants.iter().map(|g| {
                    let grant = g.id.to_string();
                    view! {
                        <li>
                            {role_label(g.role)} " — " {scope_label(&g.scope)}
                            <form method="post" action="/api/revoke_role" class="inline">
                                <input type="hidden" name="account" value=id.clone() />
                                <input type="hidden" name="grant" value=grant />
                                <button type="submit" class="link">{tr!(revoke)}</button>
                            </form>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <details>
                <summary>{tr!(role_add)}</summary>
                <form method="post" action="/api/grant_role" class="filters">
                    <input type="hidden" name="account" value=id.clone() />
                    <RoleFields page=page.clone() />
                    <button type="submit">{tr!(role_add)}</button>
                </form>
            </details>
            <form method="post" action="/api/reset_password" class="inline">
                <input type="hidden" name="account" value=id.clone() />
                <button type="submit">{tr!(password_reset_link)}</button>
            </form>
            <form method="post" action="/api/set_account_active" class="inline">
                <input type="hidden" name="account" value=id.clone() />
                <input type="hidden" name="version" value=a.version.to_string() />
                <input type="hidden" name="active" value=(!a.active).to_string() />
                <button type="submit">{if a.active { tr!(account_deactivate).into_any() } else { tr!(account_activate).into_any() }}</button>
            </form>
        </li>
    }
}
