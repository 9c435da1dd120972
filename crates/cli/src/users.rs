//! `loopdesk user add`.

use clap::Subcommand;
use loopdesk_app::accounts::{password, users::valid_username};
use loopdesk_app::{App, Config, SystemClock};
use loopdesk_core::{DepartmentId, Role};
use loopdesk_store::NewUser;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a staff user; prints a generated password unless --password is given.
    Add {
        #[arg(long)]
        username: String,
        /// admin, supervisor, agent or viewer.
        #[arg(long, default_value = "agent")]
        role: String,
        #[arg(long)]
        name: Option<String>,
        /// Department id.
        #[arg(long)]
        department: Option<i64>,
        /// Password (at least 10 characters); generated when absent.
        #[arg(long, env = "LOOPDESK_NEW_PASSWORD")]
        password: Option<String>,
    },
}

pub async fn run(command: UserCommand, config: &Config) -> anyhow::Result<()> {
    let UserCommand::Add { username, role, name, department, password: given } = command;
    let role: Role = role.parse()?;
    valid_username(&username)?;
    let app = App::open(config.clone(), Arc::new(SystemClock)).await?;
    let store = app.store();
    let generated = given.is_none();
    let pw = given.unwrap_or_else(password::generate);
    let hash = password::hash(pw.clone()).await?;
    let new = NewUser {
        display_name: name.unwrap_or_else(|| username.clone()),
        username,
        role,
        department_id: department.map(DepartmentId),
        password_hash: hash,
    };
    let user = store.create_user(&new, chrono::Utc::now()).await?;
    println!("created {} ({}) with id {}", user.username, user.role, user.id);
    if generated {
        println!("password: {pw}");
    }
    Ok(())
}
