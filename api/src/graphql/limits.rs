//! What one request may cost, beyond depth and complexity (which count the query's shape,
//! not its work):
//! - **expensive operations once per request**: an operation selects at most one of the
//!   session fields (`login`, `signUp`, `refreshToken`, `switchAccount`: each a password
//!   check or new tokens) and at most one of the certification runs (`exportArchive`,
//!   `verifyLedger`), aliases and fragments included — checked when the document is
//!   parsed, before anything runs;
//! - **a field budget**: a request resolves at most `max_fields` fields (every object and
//!   list item counts), which bounds its work, its answer and the memory it holds; past it
//!   the execution is dropped at once and the request answered with one error.

use super::error::code;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextResolve, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, FragmentDefinition, Selection, SelectionSet};
use async_graphql::{Name, Positioned, Response, ServerError, ServerResult, Value, Variables};
use entity::texts::Lang;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Root fields of which an operation may select one at most, by group.
const ONCE_PER_REQUEST: [&[&str]; 2] =
    [&["login", "signUp", "refreshToken", "switchAccount"], &["exportArchive", "verifyLedger"]];

/// The factory installed on the schema.
pub struct RequestLimits {
    pub max_fields: usize,
}

impl ExtensionFactory for RequestLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Limits {
            max_fields: self.max_fields,
            resolved: AtomicUsize::new(0),
            over: tokio::sync::Notify::new(),
        })
    }
}

struct Limits {
    max_fields: usize,
    resolved: AtomicUsize,
    over: tokio::sync::Notify,
}

fn lang(ctx: &ExtensionContext<'_>) -> Lang {
    ctx.data_opt::<Lang>().copied().unwrap_or_default()
}

fn refused(message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code::VALIDATION_FAILED);
    e.extensions = Some(ext);
    e
}

/// The root field names an operation selects, through fragments.
fn root_fields<'a>(
    set: &'a SelectionSet,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    out: &mut Vec<&'a str>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    for s in &set.items {
        match &s.node {
            Selection::Field(f) => out.push(f.node.name.node.as_str()),
            Selection::InlineFragment(i) => root_fields(&i.node.selection_set.node, fragments, out, depth + 1),
            Selection::FragmentSpread(spread) => {
                if let Some(f) = fragments.get(&spread.node.fragment_name.node) {
                    root_fields(&f.node.selection_set.node, fragments, out, depth + 1);
                }
            }
        }
    }
}

/// The first group an operation of `doc` selects more than once.
fn over_once(doc: &ExecutableDocument) -> Option<&'static [&'static str]> {
    for (_, op) in doc.operations.iter() {
        let mut names = Vec::new();
        root_fields(&op.node.selection_set.node, &doc.fragments, &mut names, 0);
        for group in ONCE_PER_REQUEST {
            if names.iter().filter(|n| group.contains(n)).count() > 1 {
                return Some(group);
            }
        }
    }
    None
}

#[async_graphql::async_trait::async_trait]
impl Extension for Limits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        match over_once(&doc) {
            Some(group) => Err(refused(lang(ctx).once_per_request(&group.join(", ")))),
            None => Ok(doc),
        }
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let over = || Response::from_errors(vec![refused(lang(ctx).too_many_fields(self.max_fields))]);
        tokio::select! {
            // Finished (perhaps within one poll, past the budget): what it resolved beyond the
            // budget is not answered either.
            response = next.run(ctx, operation_name) => {
                if self.resolved.load(Ordering::Relaxed) > self.max_fields { over() } else { response }
            }
            // Past the budget while waiting: the execution (and all it holds) is dropped here.
            () = self.over.notified() => over(),
        }
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if self.resolved.fetch_add(1, Ordering::Relaxed) >= self.max_fields {
            self.over.notify_one();
            return Err(refused(lang(ctx).too_many_fields(self.max_fields)));
        }
        next.run(ctx, info).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn expensive_fields_are_counted_through_aliases_and_fragments() {
        let doc = |q: &str| async_graphql::parser::parse_query(q).unwrap();
        assert!(super::over_once(&doc("mutation { a: login(input: {}) { accessToken } }")).is_none());
        assert!(super::over_once(&doc("mutation { a: login(input: {}) { x } b: login(input: {}) { x } }")).is_some());
        assert!(super::over_once(&doc("mutation { signUp(input: {}) { x } ...F } fragment F on MutationRoot { refreshToken(refreshToken: \"\") { x } }")).is_some());
        assert!(super::over_once(&doc("query { a: verifyLedger(chain: DOCUMENTS) { ok } ... on QueryRoot { b: verifyLedger(chain: EVENTS) { ok } } }")).is_some());
        // One of each group is fine; so is one per operation of a document.
        assert!(
            super::over_once(&doc("mutation { login(input: {}) { x } exportArchive(from: \"\", to: \"\") { x } }"))
                .is_none()
        );
        assert!(
            super::over_once(&doc("mutation A { login(input: {}) { x } } mutation B { login(input: {}) { x } }"))
                .is_none()
        );
    }
}
