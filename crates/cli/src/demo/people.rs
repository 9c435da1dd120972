//! The demo staff (departments, agents, supervisors, a viewer), created once and reused on
//! later runs.

use super::catalog::Dept;
use loopdesk_core::{Actor, DepartmentId, Role, Timestamp, UserId};
use loopdesk_store::{NewUser, Store};

/// The password every demo account gets.
pub const DEMO_PASSWORD: &str = "loopdesk-demo";

/// A staff member as events name them.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: UserId,
    pub name: String,
}

impl Member {
    /// The actor of an event this member causes.
    pub fn actor(&self) -> Actor {
        Actor::User { id: self.id, name: self.name.clone() }
    }
}

/// Who works the demo tickets.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Department ids, indexed by [`Dept::index`].
    pub depts: [DepartmentId; 6],
    /// Agents of each department, indexed by [`Dept::index`]; never empty.
    pub agents: [Vec<Member>; 6],
    pub supervisors: Vec<Member>,
    /// Every demo account: (username, display name, role).
    pub accounts: Vec<(String, String, Role)>,
    /// Accounts created by this run (the others already existed).
    pub created: usize,
}

/// The demo accounts: username, display name, role, department.
const ACCOUNTS: &[(&str, &str, Role, Option<Dept>)] = &[
    ("tech.liwei", "李伟", Role::Agent, Some(Dept::Tech)),
    ("tech.zhangmin", "张敏", Role::Agent, Some(Dept::Tech)),
    ("tech.wangqiang", "王强", Role::Agent, Some(Dept::Tech)),
    ("tech.liuyang", "刘洋", Role::Agent, Some(Dept::Tech)),
    ("after.chenjing", "陈静", Role::Agent, Some(Dept::AfterSales)),
    ("after.yangfan", "杨帆", Role::Agent, Some(Dept::AfterSales)),
    ("after.zhaolei", "赵磊", Role::Agent, Some(Dept::AfterSales)),
    ("rnd.huangtao", "黄涛", Role::Agent, Some(Dept::RnD)),
    ("rnd.zhouyan", "周燕", Role::Agent, Some(Dept::RnD)),
    ("cs.wuting", "吴婷", Role::Agent, Some(Dept::Service)),
    ("cs.xujie", "徐杰", Role::Agent, Some(Dept::Service)),
    ("cs.sunli", "孙丽", Role::Agent, Some(Dept::Service)),
    ("cs.malin", "马琳", Role::Agent, Some(Dept::Service)),
    ("logi.zhuhao", "朱浩", Role::Agent, Some(Dept::Logistics)),
    ("logi.hujun", "胡军", Role::Agent, Some(Dept::Logistics)),
    ("mkt.guoxin", "郭欣", Role::Agent, Some(Dept::Marketing)),
    ("mkt.linna", "林娜", Role::Agent, Some(Dept::Marketing)),
    ("sup.hexu", "何旭", Role::Supervisor, None),
    ("sup.gaoyun", "高云", Role::Supervisor, None),
    ("view.luoqing", "罗青", Role::Viewer, None),
];

/// Creates the departments and accounts that do not exist yet and returns all of them.
pub async fn ensure_staff(store: &Store, now: Timestamp) -> anyhow::Result<Staff> {
    let depts = ensure_departments(store, now).await?;
    let existing = store.users().await?;
    let mut hash: Option<String> = None;
    let mut agents: [Vec<Member>; 6] = Default::default();
    let mut supervisors = Vec::new();
    let mut accounts = Vec::new();
    let mut created = 0;
    for &(username, display, role, dept) in ACCOUNTS {
        let id = match existing.iter().find(|u| u.username == username) {
            Some(user) => user.id,
            None => {
                if hash.is_none() {
                    let h = loopdesk_app::accounts::password::hash(DEMO_PASSWORD.to_string())
                        .await
                        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?;
                    hash = Some(h);
                }
                let new = NewUser {
                    username: username.to_string(),
                    display_name: display.to_string(),
                    role,
                    department_id: dept.map(|d| depts[d.index()]),
                    password_hash: hash.clone().unwrap_or_default(),
                };
                created += 1;
                store.create_user(&new, now).await?.id
            }
        };
        let member = Member { id, name: display.to_string() };
        match (role, dept) {
            (Role::Agent, Some(d)) => agents[d.index()].push(member),
            (Role::Supervisor, _) => supervisors.push(member),
            _ => {}
        }
        accounts.push((username.to_string(), display.to_string(), role));
    }
    Ok(Staff { depts, agents, supervisors, accounts, created })
}

/// The six demo departments, created when missing.
async fn ensure_departments(store: &Store, now: Timestamp) -> anyhow::Result<[DepartmentId; 6]> {
    let existing = store.departments().await?;
    let mut ids = [DepartmentId(0); 6];
    for dept in Dept::ALL {
        ids[dept.index()] = match existing.iter().find(|d| d.name == dept.name()) {
            Some(d) => d.id,
            None => store.create_department(dept.name(), now).await?.id,
        };
    }
    Ok(ids)
}
