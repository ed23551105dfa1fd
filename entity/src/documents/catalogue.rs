//! New products on documents join the catalogue (the seed: "new products are added to
//! the catalogue by default", unless the account turns it off).
//!
//! A product line without `productId` is matched to the catalogue by its code, else by
//! its exact name; when nothing matches, a product is created from the line (name, code,
//! unit, tax, and the unit price the line gave, to the cent). The line then names it.

use super::*;
use crate::products::{ProductPatch, create_in};

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

pub(super) async fn add_new_products(db: &impl ConnectionTrait, actor: &Actor, lines: &mut [Line]) -> DomainResult<()> {
    let mut made: std::collections::HashMap<String, Uuid> = Default::default();
    for l in lines.iter_mut().filter(|l| l.stored_kind == "normal" && l.product_id.is_none()) {
        // One key for the lines of this document and for the catalogue: the code, else the name.
        let key = match &l.code {
            Some(code) => format!("code:{code}"),
            None => format!("name:{}", l.name),
        };
        if let Some(id) = made.get(&key) {
            l.product_id = Some(*id);
            continue;
        }
        let mut q = product::Entity::find().filter(product::Column::AccountId.eq(actor.account_id.0));
        q = match &l.code {
            Some(code) => q.filter(product::Column::Code.eq(code.clone())),
            None => q.filter(product::Column::Name.eq(l.name.clone())),
        };
        let id = match q.order_by_asc(product::Column::CreatedAt).one(db).await? {
            Some(p) => p.id,
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
                create_in(db, actor, patch).await?.id
            }
        };
        made.insert(key, id);
        l.product_id = Some(id);
    }
    Ok(())
}
