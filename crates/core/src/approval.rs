//! Why a plan needs a supervisor's approval (design, "awaiting_approval").

crate::named_enum!(
    /// A reason a plan must be approved before it is carried out.
    ApprovalReason {
        /// It costs money (refund, compensation, replacement beyond policy).
        Cost = "cost",
        /// It departs from a written policy.
        PolicyException = "policy_exception",
        /// It needs work from other departments.
        OtherDepartments = "other_departments",
    }
);
