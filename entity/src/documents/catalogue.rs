//! New products on documents join the catalogue (the seed: "new products are added to
//! the catalogue by default", unless the account turns it off).
//!
//! A product line without `productId` is matched to the catalogue by its code, else by
//! its exact name; when nothing matches, a product is created from the line (name, code,
//! unit, tax, and the unit price the line gave, to the cent). The line then names it.

use super::*;
use crate::products::{ProductPatch, create_in};
use crate::scope::InAccount;

/// The unit price a line gave, net or gross, to the cent.
fn unit_price(l: &Line) -> (Option<Decimal>, Option<Decimal>) {
    let q = l.input.quantity;
    let per_unit = |t: Decimal| if q.is_zero() { None } else { t.checked_div(q).map(tax::round2) };
    match l.input.price {
        Price::UnitNet(x) => (Some(tax::round2(x)), None),
        Price::UnitGross(x) => (None, Some(tax::round2(x))),
        Price::TotalNet(t) => (per_unit(t), None),
        Price::TotalGross(t) => (None, per_unit(t)),
    }
}

/// A catalogue key: the code, else the name.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Code(String),
    Name(String),
}

fn key_of(l: &Line) -> Key {
    match &l.code {
        Some(code) => Key::Code(code.clone()),
        None => Key::Name(l.name.clone()),
    }
}

/// The oldest catalogue product for each key, in one query.
async fn matching(
    db: &impl ConnectionTrait,
    actor: &Actor,
    keys: &[Key],
) -> DomainResult<std::collections::HashMap<Key, Uuid>> {
    let mut found = std::collections::HashMap::new();
    if keys.is_empty() {
        return Ok(found);
    }
    let (mut codes, mut names) = (Vec::new(), Vec::new());
    for k in keys {
        match k {
            Key::Code(c) => codes.push(c.clone()),
            Key::Name(n) => names.push(n.clone()),
        }
    }
    let rows = product::Entity::find_in(actor)
        // Only the lists that hold something: an empty `IN ()` (written `1 = 2`) in the
        // `OR` keeps SQLite from using the code and name indexes.
        .filter(
            sea_orm::Condition::any()
                .add_option((!codes.is_empty()).then(|| product::Column::Code.is_in(codes)))
                .add_option((!names.is_empty()).then(|| product::Column::Name.is_in(names))),
        )
        .order_by_asc(product::Column::CreatedAt)
        .order_by_asc(product::Column::Id)
        .all(db)
        .await?;
    for p in rows {
        for key in [p.code.clone().map(Key::Code), Some(Key::Name(p.name.clone()))].into_iter().flatten() {
            if keys.contains(&key) {
                found.entry(key).or_insert(p.id);
            }
        }
    }
    Ok(found)
}

pub(super) async fn add_new_products(db: &crate::db::WriteTxn, actor: &Actor, lines: &mut [Line]) -> DomainResult<()> {
    let wanted = |l: &Line| l.stored_kind == "normal" && l.product_id.is_none();
    let mut keys: Vec<Key> = lines.iter().filter(|l| wanted(l)).map(key_of).collect();
    keys.dedup();
    // One key for the lines of this document and for the catalogue: the code, else the name.
    let mut made = matching(db, actor, &keys).await?;
    for l in lines.iter_mut().filter(|l| wanted(l)) {
        let key = key_of(l);
        let id = match made.get(&key) {
            Some(id) => *id,
            None => {
                let (net, gross) = unit_price(l);
                let patch = ProductPatch {
                    name: Some(l.name.clone()),
                    tax: Some(l.input.tax.to_string()),
                    price_net: net.map(Some),
                    price_gross: gross.map(Some),
                    code: l.code.clone().map(Some),
                    quantity_unit: l.quantity_unit.clone().map(Some),
                    ..Default::default()
                };
                let id = create_in(db, actor, patch).await?.id;
                // A later line without a code finds the new product by its name, as it
                // would find it in the catalogue (unless an older product has the name).
                made.entry(Key::Name(l.name.clone())).or_insert(id);
                id
            }
        };
        made.insert(key, id);
        l.product_id = Some(id);
    }
    Ok(())
}
