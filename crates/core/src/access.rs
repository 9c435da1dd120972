//! Roles and who may see and do what. The store turns [`Principal::visibility`] into a query
//! filter; handlers ask [`Principal::can`] before acting.

use crate::{DepartmentId, Ticket, UserId};

crate::named_enum!(
    /// A staff member's role.
    Role {
        /// Everything, including users, tokens and configuration.
        Admin = "admin",
        /// All tickets; assigns, approves, decides escalations.
        Supervisor = "supervisor",
        /// Works tickets of their department, their own and shared ones.
        Agent = "agent",
        /// Reads tickets, personal data masked; changes nothing.
        Viewer = "viewer",
    }
);

/// What a request may do, from the most to the least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    /// Manage users, tokens, configuration.
    Administer,
    /// Assign anybody, approve plans, restore rejected tickets.
    Supervise,
    /// Act on tickets one may see.
    Work,
    /// Read tickets one may see.
    Read,
    /// Submit feedback on behalf of a channel.
    Intake,
}

/// An authenticated caller: a staff user (via session or token) or an intake-only token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    /// Tokens may be limited to intake only.
    pub intake_only: bool,
}

/// Which tickets a principal may list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// Tickets of this department, assigned to or shared with this user, or not yet routed.
    Department {
        department_id: Option<DepartmentId>,
        user_id: UserId,
    },
    None,
}

impl Principal {
    /// Whether the principal holds `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        if self.intake_only {
            return permission == Permission::Intake;
        }
        match self.role {
            Role::Admin => true,
            Role::Supervisor => permission != Permission::Administer,
            Role::Agent => matches!(permission, Permission::Work | Permission::Read | Permission::Intake),
            Role::Viewer => permission == Permission::Read,
        }
    }

    /// Which tickets this principal may list.
    pub fn visibility(&self) -> Visibility {
        if self.intake_only {
            return Visibility::None;
        }
        match self.role {
            Role::Admin | Role::Supervisor | Role::Viewer => Visibility::All,
            Role::Agent => Visibility::Department { department_id: self.department_id, user_id: self.user_id },
        }
    }

    /// Whether this principal may see `ticket`.
    pub fn can_see(&self, ticket: &Ticket) -> bool {
        self.can_see_owned(ticket.department_id, ticket.assignee_id, &ticket.collaborators)
    }

    /// Whether this principal may see a ticket owned by `department`, assigned to `assignee`
    /// and shared with `collaborators` (for records that carry only those, like feed rows).
    pub fn can_see_owned(
        &self,
        department: Option<DepartmentId>,
        assignee: Option<UserId>,
        collaborators: &[UserId],
    ) -> bool {
        match self.visibility() {
            Visibility::All => true,
            Visibility::None => false,
            Visibility::Department { department_id, user_id } => {
                department.is_none()
                    || (department_id.is_some() && department == department_id)
                    || assignee == Some(user_id)
                    || collaborators.contains(&user_id)
            }
        }
    }

    /// Whether customer personal data is shown unmasked to this principal.
    pub fn sees_personal_data(&self) -> bool {
        !self.intake_only && self.role != Role::Viewer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role) -> Principal {
        Principal {
            user_id: UserId(1),
            name: "x".into(),
            role,
            department_id: Some(DepartmentId(1)),
            intake_only: false,
        }
    }

    #[test]
    fn permissions_by_role() {
        assert!(p(Role::Admin).can(Permission::Administer));
        assert!(!p(Role::Supervisor).can(Permission::Administer));
        assert!(p(Role::Supervisor).can(Permission::Supervise));
        assert!(!p(Role::Agent).can(Permission::Supervise));
        assert!(p(Role::Agent).can(Permission::Work));
        assert!(!p(Role::Viewer).can(Permission::Work));
        let mut token = p(Role::Admin);
        token.intake_only = true;
        assert!(token.can(Permission::Intake));
        assert!(!token.can(Permission::Read));
    }
}
