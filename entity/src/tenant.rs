//! Who is acting, for which account, with which role. Built once per request from a
//! verified credential; domain operations scope every query by `Actor::account_id`.

use crate::error::{DomainError, DomainResult};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub Uuid);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserId(pub Uuid);

/// A member's role in an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, including the account's users and its closure e-mails.
    Owner,
    /// Everything but ownership.
    Admin,
    /// Day-to-day invoicing; cannot change settings, departments or tokens.
    Member,
    /// Reads everything (documents, journal, closures, exports); changes nothing.
    Accountant,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Accountant];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Accountant => "accountant",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The lower of two roles, for a credential granted with `self` by someone who now
    /// has `current`: owner > admin > (member, accountant); below admin, `current` wins.
    pub fn capped_by(self, current: Role) -> Role {
        match (self, current) {
            (Role::Owner, c) => c,
            (Role::Admin, Role::Owner) => Role::Admin,
            (Role::Admin, c) => c,
            (Role::Member, Role::Accountant) => Role::Accountant,
            (Role::Member, _) => Role::Member,
            (Role::Accountant, _) => Role::Accountant,
        }
    }

    /// Account settings: departments, API tokens, numbering, users.
    pub fn can_manage_account(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::Role::*;

    #[test]
    fn a_credential_never_outranks_its_holder() {
        assert_eq!(Owner.capped_by(Admin), Admin);
        assert_eq!(Admin.capped_by(Owner), Admin);
        assert_eq!(Admin.capped_by(Accountant), Accountant);
        assert_eq!(Member.capped_by(Owner), Member);
        assert_eq!(Member.capped_by(Accountant), Accountant);
        assert_eq!(Accountant.capped_by(Member), Accountant);
    }
}

/// How the actor proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A JWT access token of this login session.
    Session(Uuid),
    /// An API token (integration); `user_id` is the token's creator.
    ApiToken(Uuid),
    /// The public link of one document (the buyer completing an "invoice to complete");
    /// no user: `user_id` is nil. Built only by `documents::completion`.
    PublicLink(Uuid),
    /// The server itself (jobs such as sealing): no user, never from a request.
    System,
}

/// The authenticated caller of one request.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub account_id: AccountId,
    pub role: Role,
    pub credential: Credential,
    /// Where the request came from (the peer address, as the transport saw it), for the
    /// journal; none for the server's own work.
    pub client_ip: Option<std::net::IpAddr>,
}

impl Actor {
    /// Refuses accountants: they read everything and change nothing. Contacts, products,
    /// categories, price lists and documents are day-to-day data every other role writes.
    pub fn require_writer(&self) -> DomainResult<()> {
        if self.role == Role::Accountant { Err(DomainError::Forbidden) } else { Ok(()) }
    }

    /// Refuses unless the actor may read the certification records meant for the people
    /// who answer for the books: owners, admins and accountants (archives, journal).
    /// A public link (an invoice to complete) never reads them, whatever its role.
    pub fn require_auditor(&self) -> DomainResult<()> {
        let reader = matches!(self.role, Role::Owner | Role::Admin | Role::Accountant);
        if reader && !matches!(self.credential, Credential::PublicLink(_)) {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    /// Refuses unless the actor may change account settings.
    pub fn require_manager(&self) -> DomainResult<()> {
        if self.role.can_manage_account() { Ok(()) } else { Err(DomainError::Forbidden) }
    }
}
