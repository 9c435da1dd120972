//! Departments (tech support, after-sales, R&D, …).

use crate::access::require;
use crate::{App, AppError};
use loopdesk_core::access::{Permission, Principal};
use loopdesk_store::Department;

/// Every department (anyone signed in).
pub async fn list(app: &App, by: &Principal) -> Result<Vec<Department>, AppError> {
    require(by, Permission::Read)?;
    Ok(app.read().departments().await?)
}

/// Creates a department (admins only).
pub async fn create(app: &App, by: &Principal, name: &str) -> Result<Department, AppError> {
    require(by, Permission::Administer)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid("name", "must be 1 to 100 characters"));
    }
    Ok(app.store.create_department(name, app.now()).await?)
}
