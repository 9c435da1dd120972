//! Every action staff take on a ticket, as one typed list. The JSON API and the console
//! both build an [`Action`] and call [`perform`]: the same checks, the same permissions,
//! the same transaction.

use super::change::staged;
use crate::access::{require, visible};
use crate::workflow::{assignment, staffing};
use crate::{App, AppError};
use loopdesk_core::access::Permission;
use loopdesk_core::approval::ApprovalReason;
use loopdesk_core::event::{CloseReason, Command};
use loopdesk_core::{
    Actor, DepartmentId, DomainError, Event, FileRef, Outcome, Principal, Priority, Role, State, Ticket, TicketId,
    Timestamp, UserId,
};

/// What staff can do to a ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Give it to a department and/or an agent.
    Assign {
        department_id: Option<DepartmentId>,
        assignee_id: Option<UserId>,
        reason: Option<String>,
    },
    /// The assignee accepts it; an unowned ticket becomes the caller's.
    Acknowledge,
    /// Take it: the caller becomes the assignee, in the ticket's department (or their own).
    AssignToMe,
    /// Bring the ticket to "in progress" as the caller, whatever of that is left: a new one
    /// is taken and accepted, an assigned or reopened one accepted, a ticket in progress
    /// stays (the first step of "reply and resolve" and of a macro).
    TakeUp,
    /// A public reply to the customer, with files already stored for the ticket.
    Reply {
        body: String,
        files: Vec<FileRef>,
    },
    /// An internal note.
    Note {
        body: String,
    },
    /// Ask the customer; the resolution clock pauses.
    RequestInfo {
        message: String,
    },
    /// The customer's answer, recorded by staff.
    ProvideInfo {
        body: String,
    },
    /// A plan needing a supervisor's approval.
    RequestApproval {
        plan: String,
        reasons: Vec<ApprovalReason>,
    },
    /// A supervisor approves or refuses the plan.
    DecideApproval {
        approved: bool,
        comment: Option<String>,
    },
    /// The outcome, told to the customer.
    Resolve(Outcome),
    /// Staff close (surveys close on their own).
    Close,
    Reopen {
        reason: String,
    },
    /// Spam, abuse, irrelevant or out of scope.
    Reject {
        reason: String,
    },
    /// A person brings back a rejected ticket.
    Restore {
        reason: Option<String>,
    },
    /// A duplicate of the same customer's other ticket.
    Merge {
        into: TicketId,
    },
    /// Hand to a supervisor.
    Escalate {
        reason: String,
    },
    /// A correction of the category (also a training example for triage).
    Recategorize {
        category: Option<String>,
        subtags: Vec<String>,
    },
    Reprioritize {
        priority: Priority,
        reason: String,
    },
    /// Adds tags to the ticket's sub-tags (the category stays).
    AddTags {
        tags: Vec<String>,
    },
    /// Share it with someone from another team.
    AddCollaborator {
        user_id: UserId,
    },
    /// Hand it to another department (and agent, else the department's next agent).
    Transfer {
        department_id: DepartmentId,
        assignee_id: Option<UserId>,
        reason: String,
    },
    /// A later due time for an SLA target, with the reason the customer is told.
    Extend {
        target: String,
        until: Timestamp,
        reason: String,
    },
}

impl Action {
    /// The permission it needs.
    fn permission(&self) -> Permission {
        match self {
            Action::DecideApproval { .. } => Permission::Supervise,
            _ => Permission::Work,
        }
    }
}

/// The ticket after an action and the events it appended.
#[derive(Debug, Clone)]
pub struct Done {
    pub ticket: Ticket,
    pub events: Vec<Event>,
}

/// Performs `action` on ticket `id` as `who`.
pub async fn perform(app: &App, who: &Principal, id: TicketId, action: Action) -> Result<Done, AppError> {
    perform_all(app, who, id, vec![action]).await
}

/// Performs `actions` in order on ticket `id` as `who`, in one change: all happen or none
/// (reply and resolve, a macro's field changes and reply).
#[tracing::instrument(skip_all, fields(ticket = id.0, user = who.user_id.0))]
pub async fn perform_all(app: &App, who: &Principal, id: TicketId, actions: Vec<Action>) -> Result<Done, AppError> {
    let needed = match actions.iter().any(|a| a.permission() == Permission::Supervise) {
        true => Permission::Supervise,
        false => Permission::Work,
    };
    let p = require(who, needed)?;
    let current = visible(app, p, id).await?;
    let actor = Actor::User { id: p.user_id, name: p.name.clone() };
    let mut builds = Vec::with_capacity(actions.len());
    for action in actions {
        builds.push(commands_for(app, p, &current, action).await?);
    }
    let (ticket, events) = staged(app, id, actor, builds).await?;
    Ok(Done { ticket, events })
}

type Build = Box<dyn Fn(&Ticket) -> Result<Vec<Command>, DomainError> + Send + Sync>;

fn fixed(cmd: Command) -> Build {
    Box::new(move |_| Ok(vec![cmd.clone()]))
}

/// Checks what needs the database, then gives the commands to apply to the current ticket.
async fn commands_for(app: &App, p: &Principal, current: &Ticket, action: Action) -> Result<Build, AppError> {
    Ok(match action {
        Action::Assign { department_id, assignee_id, reason } => {
            check_assignment(app, p, department_id, assignee_id).await?;
            fixed(Command::Assign { department_id, assignee_id, reason })
        }
        Action::AssignToMe => {
            let department_id = current.department_id.or(p.department_id);
            fixed(Command::Assign { department_id, assignee_id: Some(p.user_id), reason: None })
        }
        Action::Acknowledge => {
            let (me, supervisor) = (p.user_id, p.can(Permission::Supervise));
            Box::new(move |t: &Ticket| acknowledge(t, me, supervisor))
        }
        Action::TakeUp => {
            let (me, own, supervisor) = (p.user_id, p.department_id, p.can(Permission::Supervise));
            Box::new(move |t: &Ticket| match t.state {
                State::New => Ok(vec![
                    Command::Assign { department_id: t.department_id.or(own), assignee_id: Some(me), reason: None },
                    Command::Acknowledge,
                ]),
                State::Assigned | State::Reopened => acknowledge(t, me, supervisor),
                _ => Ok(vec![]),
            })
        }
        Action::Reply { body, files } => fixed(Command::Reply { body, files }),
        Action::Note { body } => fixed(Command::Note { body }),
        Action::RequestInfo { message } => fixed(Command::RequestInfo { message }),
        Action::ProvideInfo { body } => fixed(Command::ProvideInfo { body }),
        Action::RequestApproval { plan, reasons } => fixed(Command::RequestApproval { plan, reasons }),
        Action::DecideApproval { approved, comment } => fixed(Command::DecideApproval { approved, comment }),
        Action::Resolve(outcome) => fixed(Command::Resolve { outcome }),
        Action::Close => fixed(Command::Close { reason: CloseReason::Manual }),
        Action::Reopen { reason } => fixed(Command::Reopen { reason }),
        Action::Reject { reason } => fixed(Command::Reject { reason }),
        Action::Restore { reason } => fixed(Command::Restore { reason }),
        Action::Merge { into } => {
            check_merge(app, p, current, into).await?;
            fixed(Command::Merge { into })
        }
        Action::Escalate { reason } => fixed(Command::Escalate { reason, to: None }),
        Action::Recategorize { category, subtags } => {
            if category.as_deref().is_some_and(|c| c.is_empty() || c.len() > 64) || subtags.len() > 20 {
                return Err(AppError::invalid("category", "must be 1 to 64 characters, with at most 20 sub-tags"));
            }
            fixed(Command::Recategorize { category, subtags })
        }
        Action::Reprioritize { priority, reason } => fixed(Command::Reprioritize { priority, reason }),
        Action::AddTags { tags } => {
            let tags = clean_tags(tags)?;
            Box::new(move |t: &Ticket| {
                let mut subtags = t.subtags.clone();
                subtags.extend(tags.iter().filter(|x| !t.subtags.contains(x)).cloned());
                if subtags.len() == t.subtags.len() {
                    return Ok(vec![]);
                }
                if subtags.len() > 20 {
                    return Err(DomainError::invalid("tags", "a ticket has at most 20 sub-tags"));
                }
                Ok(vec![Command::Recategorize { category: t.category.clone(), subtags }])
            })
        }
        Action::AddCollaborator { user_id } => {
            app.read().user(user_id).await.map_err(|_| AppError::invalid("user_id", "no such user"))?;
            fixed(Command::AddCollaborator { user_id })
        }
        Action::Transfer { department_id, assignee_id, reason } => {
            let assignee = transfer_to(app, department_id, assignee_id, &reason).await?;
            let reason = Some(format!("transfer: {}", reason.trim()));
            fixed(Command::Assign { department_id: Some(department_id), assignee_id: assignee, reason })
        }
        Action::Extend { target, until, reason } => fixed(Command::Extend { target, until, reason }),
    })
}

/// Accepting `t` as `me`: the assignee or a supervisor accepts; an unowned ticket becomes
/// the caller's first.
fn acknowledge(t: &Ticket, me: UserId, supervisor: bool) -> Result<Vec<Command>, DomainError> {
    match t.assignee_id {
        Some(a) if a == me || supervisor => Ok(vec![Command::Acknowledge]),
        Some(_) => Err(DomainError::invalid("assignee_id", "only the assignee or a supervisor can acknowledge")),
        None => Ok(vec![
            Command::Assign { department_id: t.department_id, assignee_id: Some(me), reason: None },
            Command::Acknowledge,
        ]),
    }
}

/// Tags as given, trimmed: 1 to 20 of 1 to 64 characters each.
fn clean_tags(tags: Vec<String>) -> Result<Vec<String>, AppError> {
    let tags: Vec<String> = tags.into_iter().map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
    if tags.is_empty() || tags.len() > 20 || tags.iter().any(|x| x.chars().count() > 64) {
        return Err(AppError::invalid("tags", "give 1 to 20 tags of at most 64 characters"));
    }
    Ok(tags)
}

async fn department_exists(app: &App, d: DepartmentId) -> Result<bool, AppError> {
    Ok(app.read().departments().await?.iter().any(|dep| dep.id == d))
}

async fn check_assignment(
    app: &App,
    p: &Principal,
    department_id: Option<DepartmentId>,
    assignee_id: Option<UserId>,
) -> Result<(), AppError> {
    if let Some(d) = department_id {
        if !department_exists(app, d).await? {
            return Err(AppError::invalid("department_id", "no such department"));
        }
    }
    if let Some(u) = assignee_id {
        let user = app.read().user(u).await.map_err(|_| AppError::invalid("assignee_id", "no such user"))?;
        if !user.active || user.role == Role::Viewer {
            return Err(AppError::invalid("assignee_id", "this user cannot work on tickets"));
        }
    }
    // Agents route within their own department or to themselves; supervisors anywhere.
    if !p.can(Permission::Supervise) {
        let own_dept = department_id.is_none() || department_id == p.department_id;
        let own_user = assignee_id.is_none_or(|u| u == p.user_id || own_dept);
        if !(own_dept && own_user) {
            return Err(AppError::Forbidden("agents assign within their own department; ask a supervisor".into()));
        }
    }
    Ok(())
}

async fn check_merge(app: &App, p: &Principal, source: &Ticket, into: TicketId) -> Result<(), AppError> {
    let target = visible(app, p, into).await.map_err(|_| AppError::invalid("into", "no such ticket"))?;
    if target.merged_into.is_some() {
        return Err(AppError::invalid("into", "that ticket was itself merged; merge into the one it points to"));
    }
    let c = (&source.customer, &target.customer);
    let same_customer =
        (c.0.phone.is_some() && c.0.phone == c.1.phone) || (c.0.email.is_some() && c.0.email == c.1.email);
    if !same_customer {
        return Err(AppError::invalid(
            "into",
            "only tickets of the same customer (same phone or e-mail) can be merged",
        ));
    }
    Ok(())
}

/// Who gets a transferred ticket: the named member of the department, else its next agent.
async fn transfer_to(
    app: &App,
    dept: DepartmentId,
    assignee: Option<UserId>,
    reason: &str,
) -> Result<Option<UserId>, AppError> {
    if !department_exists(app, dept).await? {
        return Err(AppError::invalid("department_id", "no such department"));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "say why the ticket is transferred"));
    }
    match assignee {
        Some(u) => {
            let user = app.read().user(u).await.map_err(|_| AppError::invalid("assignee_id", "no such user"))?;
            if !user.active || user.role == Role::Viewer || user.department_id != Some(dept) {
                return Err(AppError::invalid("assignee_id", "not an active member of that department"));
            }
            Ok(Some(user.id))
        }
        None => {
            let staffing = staffing::staffing(app).await?;
            let cals = staffing::calendars(app);
            assignment::pick(app, &staffing, &cals, dept, &[], &[], app.now()).await
        }
    }
}

/// Routes a new ticket by the rules now (intake does it through the `route.ticket` job);
/// a conflict when it is not new or no rule and no fallback matches.
pub async fn route_now(app: &App, who: &Principal, id: TicketId) -> Result<Ticket, AppError> {
    let p = require(who, Permission::Work)?;
    visible(app, p, id).await?;
    match assignment::route(app, id).await? {
        Some(_) => Ok(app.read().ticket(id).await?),
        None => Err(AppError::conflict(
            "not_routable",
            "the ticket is not new, or no routing rule matches it and there is no fallback department",
        )),
    }
}
