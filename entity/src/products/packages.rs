//! Packages (a product made of others, never nested nor repeated) and the references a
//! product's input makes (department, category, components), checked inside the account.

use super::*;

/// One component of a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageComponent {
    pub product_id: Uuid,
    pub quantity: Decimal,
}

/// Refuses references to rows of another account, and package components that are
/// unknown, packages themselves, or the product itself.
pub(super) async fn check_references(
    db: &impl ConnectionTrait,
    actor: &Actor,
    p: &ProductPatch,
    this: Option<Uuid>,
    is_package: bool,
) -> DomainResult<()> {
    if let Some(Some(id)) = p.department_id {
        crate::departments::require_in_account(db, actor, id, "input.department_id").await?;
    }
    if let Some(Some(id)) = p.category_id {
        crate::categories::require_in_account(db, actor, id, "input.category_id").await?;
    }
    match (&p.package_products, is_package) {
        (Some(items), true) => {
            let mut v = Validator::new();
            if items.is_empty() {
                v.push("input.package_products", FieldCode::Required);
            }
            // A product already inside a package cannot become a package: packages never nest.
            if let Some(id) = this {
                let in_package = item::Entity::find_in(actor).filter(item::Column::ProductId.eq(id)).count(db).await?;
                if in_package > 0 {
                    v.push("input.package", FieldCode::Rule("package_component"));
                }
            }
            for (i, c) in items.iter().enumerate() {
                let field = format!("input.package_products.{i}.product_id");
                if items[..i].iter().any(|o| o.product_id == c.product_id) {
                    v.push(&field, FieldCode::Rule("duplicate_product"));
                    continue;
                }
                let found = Entity::find_by_id(c.product_id).in_account(actor).one(db).await?;
                match found {
                    None => v.push(&field, FieldCode::Rule("unknown_product")),
                    Some(m) if Some(m.id) == this || m.package => v.push(&field, FieldCode::Rule("package_component")),
                    Some(_) => {}
                }
            }
            v.finish()
        }
        (Some(items), false) if !items.is_empty() => {
            Err(DomainError::field("input.package_products", FieldCode::Rule("not_a_package")))
        }
        (None, true) if this.is_none() => Err(DomainError::field("input.package_products", FieldCode::Required)),
        _ => Ok(()),
    }
}

pub(super) async fn replace_components(
    db: &impl ConnectionTrait,
    actor: &Actor,
    package: Uuid,
    items: &[PackageComponent],
) -> DomainResult<()> {
    item::Entity::delete_in(actor).filter(item::Column::PackageId.eq(package)).exec(db).await?;
    for (i, c) in items.iter().enumerate() {
        item::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(actor.account_id.0),
            package_id: Set(package),
            product_id: Set(c.product_id),
            quantity: Set(c.quantity.normalize().into()),
            position: Set(i as i32),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The components of a package, in order.
pub async fn components(
    db: &impl ConnectionTrait,
    actor: &Actor,
    package: Uuid,
) -> DomainResult<Vec<PackageComponent>> {
    let rows = item::Entity::find_in(actor)
        .filter(item::Column::PackageId.eq(package))
        .order_by_asc(item::Column::Position)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| PackageComponent { product_id: r.product_id, quantity: r.quantity.value() }).collect())
}
