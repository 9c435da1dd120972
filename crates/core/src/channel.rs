//! The doors feedback comes through.

crate::named_enum!(
    /// Where a feedback came from (seeds 002, 003).
    Channel {
        Web = "web",
        App = "app",
        Wechat = "wechat",
        Email = "email",
        Sms = "sms",
        Phone = "phone",
        Store = "store",
        WalkIn = "walk_in",
        Social = "social",
        ThirdParty = "third_party",
        Internal = "internal",
    }
);

impl Channel {
    /// Channels where a person types the feedback in for the customer; intake timeliness
    /// for these is 30 minutes from receipt (seed 003), 5 minutes for system forms.
    pub fn is_staff_entered(self) -> bool {
        matches!(self, Channel::Phone | Channel::Store | Channel::WalkIn | Channel::Internal)
    }

    /// Channels the public, unauthenticated form may claim.
    pub fn is_public_form(self) -> bool {
        matches!(self, Channel::Web | Channel::App)
    }
}
