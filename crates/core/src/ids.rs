//! Typed identifiers, so a ticket id is never passed where a user id belongs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Primary key of a ticket.
    TicketId
);
id_type!(
    /// Primary key of a staff user.
    UserId
);
id_type!(
    /// Primary key of a department.
    DepartmentId
);
id_type!(
    /// Primary key of a problem (tracked work on a cluster of feedback, issue 17).
    ProblemId
);
id_type!(
    /// Primary key of an improvement action of a problem.
    ActionId
);
